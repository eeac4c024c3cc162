from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from dashboards import views as dashboard_views
from programs import saml, sso_views

# The Django admin signs in through allauth, with its rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("", include("dashboards.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/session", core_views.session_probe, name="session_probe"),
    # The end of a SAML sign-in, on allauth's own path: replay protection and refusals
    # that say why (programs/saml.py).
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        saml.finish_acs,
        name="saml_finish_acs",
    ),
    path("accounts/organisation/", sso_views.organization_sign_in, name="organization_sign_in"),
    path(
        "accounts/sign-on/<int:organization_id>/backchannel-logout/",
        sso_views.backchannel_logout,
        name="sso_backchannel_logout",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("programs.urls")),
    path("", include("teams.urls")),
    path("projects/", include("projects.urls")),
    path("", include("reflections.urls")),
    path("", include("coaching.urls")),
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

# A request Django refuses before any view (too large, too many fields) gets our own page.
handler400 = "core.errors.bad_request"
