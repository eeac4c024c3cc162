from django.urls import path

from projects import views

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
]
