from django.urls import path

from teams import import_views, membership_views, program_views, views

app_name = "teams"

urlpatterns = [
    path("teams/<int:team_id>/", views.team_detail, name="detail"),
    path("programs/<int:program_id>/people/", program_views.people, name="people"),
    path(
        "programs/<int:program_id>/people/<int:membership_id>/end/",
        membership_views.membership_end,
        name="membership_end",
    ),
    path(
        "programs/<int:program_id>/people/<int:membership_id>/restore/",
        membership_views.membership_restore,
        name="membership_restore",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/",
        program_views.builder,
        name="builder",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/assign/",
        program_views.builder_assign,
        name="builder_assign",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/new/",
        program_views.builder_team_create,
        name="builder_team_create",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/<int:team_id>/advisors/",
        program_views.builder_team_advisors,
        name="builder_team_advisors",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/<int:team_id>/rename/",
        program_views.builder_team_rename,
        name="builder_team_rename",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/<int:team_id>/delete/",
        program_views.builder_team_delete,
        name="builder_team_delete",
    ),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/teams/propose/",
        program_views.builder_propose,
        name="builder_propose",
    ),
    # Importing and exporting a program's people.
    path("programs/import/example.csv", import_views.example_file, name="import_example"),
    path("programs/<int:program_id>/import/", import_views.import_start, name="import"),
    path(
        "programs/<int:program_id>/import/<int:import_id>/",
        import_views.import_preview,
        name="import_preview",
    ),
    path(
        "programs/<int:program_id>/import/<int:import_id>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "programs/<int:program_id>/import/<int:import_id>/not-imported.csv",
        import_views.rejected_rows,
        name="import_rejected",
    ),
    path("programs/<int:program_id>/export.csv", import_views.export_people, name="people_export"),
]
