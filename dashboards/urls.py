from django.urls import path

from dashboards import showcase_views, views

app_name = "dashboards"

urlpatterns = [
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("cohorts/<int:cohort_id>/showcase/", showcase_views.gallery, name="showcase"),
    path(
        "projects/<int:project_id>/showcase/",
        showcase_views.publish,
        name="showcase_publish",
    ),
]
