from django.urls import include, path

from programs import archive_views, self_assessment_views, views

app_name = "programs"

program_patterns = [
    path("new/", views.program_create, name="create"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/archive/", archive_views.archive, name="archive"),
    path("<int:program_id>/restore/", archive_views.restore, name="restore"),
    path("<int:program_id>/delete/", archive_views.delete, name="delete"),
    path("<int:program_id>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("<int:program_id>/cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path("<int:program_id>/schedule/", views.schedule, name="schedule"),
    path(
        "<int:program_id>/schedule/<int:milestone_id>/edit/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "<int:program_id>/schedule/<int:milestone_id>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("<int:program_id>/invite/", views.invite, name="invite"),
    path("<int:program_id>/invite/many/", views.invite_many, name="invite_many"),
    path(
        "<int:program_id>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:program_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("invitations/<str:token>/sign-up/", views.invitation_signup, name="invitation_signup"),
]

urlpatterns = [
    path("programs/", include(program_patterns)),
    # Self-assessment keeps the paths it had under the coach dashboard.
    path(
        "coaching/programs/<int:program_id>/self-assessment/",
        self_assessment_views.self_assessment,
        name="self_assessment",
    ),
    path(
        "coaching/programs/<int:program_id>/report/close-stage/",
        self_assessment_views.self_assessment_close,
        name="self_assessment_close",
    ),
]
