from django.urls import path

from programs import (
    archive_views,
    org_views,
    profile_views,
    self_assessment_views,
    sso_views,
    views,
)

app_name = "programs"

urlpatterns = [
    # Programs, cohorts, schedule and invitations.
    path("programs/new/", views.program_create, name="create"),
    path("programs/<int:program_id>/edit/", views.program_edit, name="edit"),
    path("programs/<int:program_id>/archive/", archive_views.archive, name="archive"),
    path("programs/<int:program_id>/restore/", archive_views.restore, name="restore"),
    path("programs/<int:program_id>/delete/", archive_views.delete, name="delete"),
    path("programs/<int:program_id>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path(
        "programs/<int:program_id>/cohorts/<int:cohort_id>/edit/",
        views.cohort_edit,
        name="cohort_edit",
    ),
    path("programs/<int:program_id>/schedule/", views.schedule, name="schedule"),
    path(
        "programs/<int:program_id>/schedule/<int:milestone_id>/edit/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "programs/<int:program_id>/schedule/<int:milestone_id>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("programs/<int:program_id>/invite/", views.invite, name="invite"),
    path("programs/<int:program_id>/invite/many/", views.invite_many, name="invite_many"),
    path(
        "programs/<int:program_id>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "programs/<int:program_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("programs/invitations/<str:token>/", views.invitation, name="invitation"),
    path(
        "programs/invitations/<str:token>/sign-up/",
        views.invitation_signup,
        name="invitation_signup",
    ),
    # People's profiles.
    path("profile/", profile_views.edit, name="profile"),
    path(
        "programs/<int:program_id>/people/<int:user_id>/profile/",
        profile_views.member,
        name="member_profile",
    ),
    # Organisations: units, single sign-on, people, admins and their invitations.
    path("organisations/", org_views.organizations, name="organizations"),
    path(
        "organisations/<int:organization_id>/invite/",
        org_views.site_invite,
        name="organization_site_invite",
    ),
    path("organisations/<int:organization_id>/", org_views.organization, name="organization"),
    path("organisations/<int:organization_id>/units/", org_views.unit_create, name="unit_create"),
    path(
        "organisations/<int:organization_id>/units/<int:unit_id>/edit/",
        org_views.unit_edit,
        name="unit_edit",
    ),
    path(
        "organisations/<int:organization_id>/units/<int:unit_id>/merge/",
        org_views.unit_merge,
        name="unit_merge",
    ),
    path(
        "organisations/<int:organization_id>/units/<int:unit_id>/retire/",
        org_views.unit_retire,
        name="unit_retire",
    ),
    path(
        "organisations/<int:organization_id>/units/<int:unit_id>/restore/",
        org_views.unit_restore,
        name="unit_restore",
    ),
    path(
        "organisations/<int:organization_id>/sign-on/",
        sso_views.sign_on,
        name="organization_sign_on",
    ),
    path(
        "organisations/<int:organization_id>/people/",
        sso_views.people,
        name="organization_people",
    ),
    path(
        "organisations/<int:organization_id>/people/<int:user_id>/deactivate/",
        sso_views.deactivate,
        name="organization_deactivate",
    ),
    path(
        "organisations/<int:organization_id>/time-zone/",
        org_views.time_zone,
        name="organization_time_zone",
    ),
    path(
        "organisations/<int:organization_id>/admins/invite/",
        org_views.admin_invite,
        name="organization_admin_invite",
    ),
    path(
        "organisations/<int:organization_id>/admins/<int:admin_id>/remove/",
        org_views.admin_remove,
        name="organization_admin_remove",
    ),
    path(
        "organisations/<int:organization_id>/invitations/<int:invitation_id>/revoke/",
        org_views.invitation_revoke,
        name="organization_invitation_revoke",
    ),
    path(
        "organisations/invitations/<str:token>/",
        org_views.invitation,
        name="organization_invitation",
    ),
    path(
        "organisations/invitations/<str:token>/sign-up/",
        org_views.invitation_signup,
        name="organization_invitation_signup",
    ),
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
