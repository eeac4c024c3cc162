from django.urls import path

from teams import import_views as views

app_name = "people_import"

urlpatterns = [
    path("import/example.csv", views.example_file, name="example"),
    path("<int:program_id>/import/", views.import_start, name="start"),
    path("<int:program_id>/import/<int:import_id>/", views.import_preview, name="preview"),
    path(
        "<int:program_id>/import/<int:import_id>/confirm/",
        views.import_confirm,
        name="confirm",
    ),
    path(
        "<int:program_id>/import/<int:import_id>/not-imported.csv",
        views.rejected_rows,
        name="rejected",
    ),
    path("<int:program_id>/export.csv", views.export_people, name="export"),
]
