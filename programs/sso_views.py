"""Single sign-on pages: an organisation admin's provider settings and people (with
"deactivate" for leavers), and "Continue with your organisation" on the sign-in page."""

from __future__ import annotations

from typing import Any

import requests
from allauth.core.ratelimit import consume_or_429
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import PageForm, SearchForm
from core.models import SecurityEvent
from core.pagination import paginate
from core.security import record_event
from programs.access import get_organization_for_admin
from programs.http import AuthenticatedHttpRequest
from programs.models import Organization, OrganizationSignOn, SignOnProtocol, User
from programs.saml import SamlMetadataError, load_metadata
from programs.sso import (
    can_deactivate,
    do_configure_sign_on,
    do_deactivate_account,
    email_domain,
    provider_id_for,
    sign_on_for_email,
)
from programs.sso_backchannel import LogoutTokenError, do_backchannel_logout
from programs.sso_forms import BackchannelLogoutForm, OrganizationSignInForm, SignOnForm

PEOPLE_PER_PAGE = 50


def _known_to(organization: Organization) -> QuerySet[User, Any]:
    """The ids of everyone the organisation knows: a profile there, a role in one of its
    programs (even ended), its administration."""
    return User.objects.filter(
        Q(profiles__organization=organization)
        | Q(memberships__program__organization=organization)
        | Q(organization_admin_roles__organization=organization)
    ).values("pk")


def _sign_on_of(organization: Organization) -> OrganizationSignOn | None:
    return (
        OrganizationSignOn.objects.select_related("app", "join_cohort__program")
        .filter(organization=organization)
        .first()
    )


def provider_addresses(organization: Organization) -> dict[str, str]:
    """The addresses an organisation admin copies into the provider's console."""
    provider_id = provider_id_for(organization)
    base = settings.SITE_URL
    return {
        "oidc_redirect": base
        + reverse("openid_connect_callback", kwargs={"provider_id": provider_id}),
        "saml_entity_id": base
        + reverse("saml_metadata", kwargs={"organization_slug": provider_id}),
        "saml_acs": base + reverse("saml_acs", kwargs={"organization_slug": provider_id}),
        "saml_metadata": base
        + reverse("saml_metadata", kwargs={"organization_slug": provider_id}),
        "oidc_backchannel_logout": base
        + reverse("sso_backchannel_logout", kwargs={"organization_id": organization.pk}),
    }


@require_http_methods(["GET", "POST"])
def sign_on(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    """The organisation's single sign-on settings, for its admins."""
    organization = get_organization_for_admin(request.user, organization_id)
    current = _sign_on_of(organization)
    form = SignOnForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        sign_on=current,
        initial=SignOnForm.initial_for(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_configure_sign_on(
                organization, **form.service_kwargs(), by=request.user, request=request
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, f"Single sign-on settings of {organization.name} saved.")
            return redirect("programs:organization_sign_on", organization.pk)
    return render(
        request,
        "programs/org/sign_on.html",
        {
            "organization": organization,
            "sign_on": current,
            "form": form,
            "addresses": provider_addresses(organization),
            "protocols": SignOnProtocol,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def people(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    """The people of the organisation (a profile there, a role in one of its programs,
    its administration), with "deactivate" for those in its single sign-on domains."""
    organization = get_organization_for_admin(request.user, organization_id)
    query = User.objects.filter(pk__in=_known_to(organization)).order_by("email")
    search = SearchForm(request.GET).terms()
    if search:
        query = query.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    page = paginate(query, PageForm(request.GET).number(), per_page=PEOPLE_PER_PAGE)
    domains = set(
        organization.sign_on.domains.values_list("domain", flat=True)
        if hasattr(organization, "sign_on")
        else ()
    )
    rows = [(person, email_domain(person.email) in domains) for person in page]
    return render(
        request,
        "programs/org/people.html",
        {
            "organization": organization,
            "page": page,
            "rows": rows,
            "search": search,
            "has_domains": bool(domains),
        },
    )


@require_http_methods(["GET", "POST"])
def deactivate(
    request: AuthenticatedHttpRequest, organization_id: int, user_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deactivates the account and ends its sessions."""
    organization = get_organization_for_admin(request.user, organization_id)
    person = get_object_or_404(User.objects.filter(pk__in=_known_to(organization)), pk=user_id)
    cancel = reverse("programs:organization_people", args=[organization.pk])
    if request.method == "POST":
        try:
            ended = do_deactivate_account(
                organization=organization, user=person, by=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{person.display_name}'s account is deactivated: signed out everywhere "
                f"({ended} session{'s' if ended != 1 else ''} ended) and unable to sign in.",
            )
        return redirect(cancel)
    blockers = []
    if person.pk == request.user.pk:
        blockers.append("it is your own account")
    elif person.is_staff or person.is_superuser:
        blockers.append("it is a site admin's account, managed by the site's operators")
    elif not can_deactivate(organization, person):
        blockers.append(f"{person.email} is not in {organization.name}'s single sign-on domains")
    elif not person.is_active:
        blockers.append("it is deactivated already")
    return render(
        request,
        "programs/confirm.html",
        {
            "title": f"Deactivate {person.display_name}'s account?",
            "body": f"{person.email} is signed out of ActionLab everywhere at once and can no "
            "longer sign in, with a password, a code or single sign-on. What they wrote "
            "stays. A site admin can reactivate the account.",
            "blockers": blockers,
            "blocked_intro": "It cannot be deactivated:",
            "submit": "Deactivate account",
            "cancel": cancel,
        },
    )


@login_not_required
@require_POST
def organization_sign_in(request: HttpRequest) -> HttpResponse:
    """ "Continue with your organisation": the address's domain finds the organisation's
    provider, and the browser goes there. An address without one goes back to the
    password and code sign-in."""
    form = OrganizationSignInForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type your work email address to continue with your organisation.")
        return redirect("account_login")
    if refused := consume_or_429(request, action="login"):
        return refused
    email = form.cleaned_data["email"]
    found = sign_on_for_email(email)
    if found is None:
        messages.info(
            request,
            f"{email_domain(email)} does not sign in through an organisation's provider "
            "here: sign in with your password, or have a sign-in code emailed to you.",
        )
        return redirect("account_login")
    next_url = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    provider = get_social_adapter(request).get_provider(request, found.app.provider_id)
    kwargs: dict[str, object] = {}
    if found.protocol == SignOnProtocol.OIDC:
        kwargs["auth_params"] = {**provider.get_auth_params(), "login_hint": email}
    try:
        if found.protocol == SignOnProtocol.SAML:
            load_metadata(found.app)
        response = provider.redirect(
            request, process=AuthProcess.LOGIN, next_url=next_url or None, **kwargs
        )
    except (requests.RequestException, ValueError, KeyError, SamlMetadataError) as error:
        record_event(
            SecurityEvent.Kind.SSO_FAILED,
            request=request,
            provider=found.app.provider_id,
            reason="provider_unreachable",
            error=type(error).__name__,
        )
        return render(
            request,
            "socialaccount/sso_refused.html",
            {
                "title": "Your organisation's sign-in service did not answer",
                "message": f"ActionLab could not reach {found.organization.name}'s sign-in "
                "service. Try again in a moment, or sign in with your password or an "
                "emailed code if your organisation allows it.",
            },
            status=502,
        )
    if not isinstance(response, HttpResponseRedirect):
        return response  # allauth's own error page
    # A page that moves on by itself rather than a redirect: the sign-in page's
    # Content-Security-Policy (form-action 'self') would stop a form's redirect to another
    # site.
    return render(
        request,
        "socialaccount/continue.html",
        {"url": response.url, "organization": found.organization},
    )


@csrf_exempt
@never_cache
@login_not_required
@require_POST
def backchannel_logout(request: HttpRequest, organization_id: int) -> HttpResponse:
    """OpenID Connect Back-Channel Logout: the organisation's provider POSTs a signed
    `logout_token` (server to server, no browser, no cookie: hence no CSRF token) and
    every session of the person it names ends. 400 for a token refused (recorded), 200
    otherwise, also for a person ActionLab does not know (the specification's answer);
    404 when the organisation has no OpenID Connect provider in use."""
    sign_on = (
        OrganizationSignOn.objects.select_related("app")
        .filter(organization_id=organization_id, is_active=True, protocol=SignOnProtocol.OIDC)
        .first()
    )
    if sign_on is None:
        raise Http404("No OpenID Connect provider in use for this organisation.")
    form = BackchannelLogoutForm(request.POST)
    token = form.cleaned_data["logout_token"] if form.is_valid() else ""
    try:
        do_backchannel_logout(request, sign_on, token)
    except LogoutTokenError as error:
        return JsonResponse(
            {
                "error": "invalid_request",
                "error_description": f"logout_token refused: {error.reason}",
            },
            status=400,
        )
    return HttpResponse(b"", content_type="text/plain", status=200)
