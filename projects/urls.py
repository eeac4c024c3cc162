from django.urls import path

from projects import results_views, views, work_views

app_name = "projects"

urlpatterns = [
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/name/", views.name_project, name="name"),
    path("<int:project_id>/charter/history/", views.charter_history, name="charter_history"),
    path(
        "<int:project_id>/charter/<slug:section>/", views.charter_section, name="charter_section"
    ),
    path("<int:project_id>/charter/<slug:section>/save/", views.charter_save, name="charter_save"),
    path("<int:project_id>/criteria/<int:number>/", views.criterion_save, name="criterion_save"),
    path(
        "<int:project_id>/criteria/<int:number>/review/",
        views.criterion_review,
        name="criterion_review",
    ),
    path("<int:project_id>/gate/<slug:action>/", views.gate, name="gate"),
    path("<int:project_id>/transition-plan/", views.transition_plan, name="transition_plan"),
    path("<int:project_id>/override/", views.override, name="override"),
    path("<int:project_id>/close-actions/", views.close_actions, name="close_actions"),
    path("<int:project_id>/amendments/new/", views.amendment_new, name="amendment_new"),
    path(
        "<int:project_id>/amendments/<int:amendment_id>/decide/",
        views.amendment_decide,
        name="amendment_decide",
    ),
    path("<int:project_id>/results/", results_views.results, name="results"),
    path("<int:project_id>/results/measures/", results_views.measure_add, name="measure_add"),
    path(
        "<int:project_id>/results/measures/<int:measure_id>/",
        results_views.measure_edit,
        name="measure_edit",
    ),
    path(
        "<int:project_id>/results/measures/<int:measure_id>/remove/",
        results_views.measure_remove,
        name="measure_remove",
    ),
    path("<int:project_id>/results/narrative/", results_views.narrative, name="narrative"),
    path("<int:project_id>/results/confirm/", results_views.confirm, name="results_confirm"),
    path("handover/<str:token>/", results_views.handover, name="handover"),
    # The project's work: actions, stakeholders, doors to open, status updates.
    path("sponsor/", work_views.sponsor_dashboard, name="sponsor_dashboard"),
    path("<int:project_id>/actions/", work_views.actions, name="actions"),
    path("<int:project_id>/actions/new/", work_views.action_create, name="action_create"),
    path("<int:project_id>/actions/<int:action_id>/", work_views.action_row, name="action_row"),
    path(
        "<int:project_id>/actions/<int:action_id>/edit/",
        work_views.action_edit,
        name="action_edit",
    ),
    path("<int:project_id>/stakeholders/", work_views.stakeholders, name="stakeholders"),
    path(
        "<int:project_id>/stakeholders/new/",
        work_views.engagement_create,
        name="engagement_create",
    ),
    path("<int:project_id>/doors/", work_views.doors, name="doors"),
    path("<int:project_id>/doors/new/", work_views.door_create, name="door_create"),
    path(
        "<int:project_id>/doors/<int:door_id>/answer/", work_views.door_answer, name="door_answer"
    ),
    path("<int:project_id>/updates/", work_views.updates, name="updates"),
    path("<int:project_id>/updates/new/", work_views.update_create, name="update_create"),
    path(
        "<int:project_id>/updates/<int:update_id>/comments/",
        work_views.update_comment,
        name="update_comment",
    ),
]
