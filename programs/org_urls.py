from django.urls import path

from programs import org_views, sso_views

app_name = "organizations"

urlpatterns = [
    path("", org_views.organizations, name="list"),
    path("<int:organization_id>/invite/", org_views.site_invite, name="site_invite"),
    path("<int:organization_id>/", org_views.organization, name="detail"),
    path("<int:organization_id>/units/", org_views.unit_create, name="unit_create"),
    path("<int:organization_id>/units/<int:unit_id>/edit/", org_views.unit_edit, name="unit_edit"),
    path(
        "<int:organization_id>/units/<int:unit_id>/merge/", org_views.unit_merge, name="unit_merge"
    ),
    path(
        "<int:organization_id>/units/<int:unit_id>/retire/",
        org_views.unit_retire,
        name="unit_retire",
    ),
    path(
        "<int:organization_id>/units/<int:unit_id>/restore/",
        org_views.unit_restore,
        name="unit_restore",
    ),
    path("<int:organization_id>/sign-on/", sso_views.sign_on, name="sign_on"),
    path("<int:organization_id>/people/", sso_views.people, name="people"),
    path(
        "<int:organization_id>/people/<int:user_id>/deactivate/",
        sso_views.deactivate,
        name="deactivate",
    ),
    path("<int:organization_id>/time-zone/", org_views.time_zone, name="time_zone"),
    path("<int:organization_id>/admins/invite/", org_views.admin_invite, name="admin_invite"),
    path(
        "<int:organization_id>/admins/<int:admin_id>/remove/",
        org_views.admin_remove,
        name="admin_remove",
    ),
    path(
        "<int:organization_id>/invitations/<int:invitation_id>/revoke/",
        org_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", org_views.invitation, name="invitation"),
    path(
        "invitations/<str:token>/sign-up/", org_views.invitation_signup, name="invitation_signup"
    ),
]
