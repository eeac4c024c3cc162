from django.urls import path

from reflections import prompt_views

app_name = "prompts"

urlpatterns = [
    path("<int:program_id>/prompts/", prompt_views.prompts, name="list"),
    path(
        "<int:program_id>/prompts/<int:prompt_id>/edit/",
        prompt_views.prompt_edit,
        name="edit",
    ),
    path(
        "<int:program_id>/prompts/<int:prompt_id>/delete/",
        prompt_views.prompt_delete,
        name="delete",
    ),
]
