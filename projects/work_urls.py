from django.urls import path

from projects import work_views as views

app_name = "project_work"

urlpatterns = [
    path("sponsor/", views.sponsor_dashboard, name="sponsor_dashboard"),
    path("<int:project_id>/actions/", views.actions, name="actions"),
    path("<int:project_id>/actions/new/", views.action_create, name="action_create"),
    path("<int:project_id>/actions/<int:action_id>/", views.action_row, name="action_row"),
    path("<int:project_id>/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("<int:project_id>/stakeholders/", views.stakeholders, name="stakeholders"),
    path(
        "<int:project_id>/stakeholders/new/",
        views.engagement_create,
        name="engagement_create",
    ),
    path("<int:project_id>/doors/", views.doors, name="doors"),
    path("<int:project_id>/doors/new/", views.door_create, name="door_create"),
    path("<int:project_id>/doors/<int:door_id>/answer/", views.door_answer, name="door_answer"),
    path("<int:project_id>/updates/", views.updates, name="updates"),
    path("<int:project_id>/updates/new/", views.update_create, name="update_create"),
    path(
        "<int:project_id>/updates/<int:update_id>/comments/",
        views.update_comment,
        name="update_comment",
    ),
]
