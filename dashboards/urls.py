from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("programs/<int:program_id>/", views.program_detail, name="program"),
]
