"""OpenID Connect Back-Channel Logout 1.0: an organisation's provider tells ActionLab,
server to server, that a person's session there ended or that the person was disabled,
and every ActionLab session of that person ends at once.

The provider POSTs a `logout_token` (a JWT it signed) to the organisation's back-channel
logout URL. It is checked as section 2.6 of the specification says: signed with a key
of the provider's JWKS (the `jwks_uri` of the discovery document at the configured
issuer), issued by that issuer, for this organisation's client id, issued moments ago,
carrying the back-channel logout event, naming a subject or a session, without a nonce
(an ID token is not a logout token), and never seen before (its `jti`).

A token naming a subject (`sub`) linked to an account ends every session of that
account: all browsers and devices, which is what a disabled person needs. A token naming
only the provider's session (`sid`) ends the ActionLab sessions signed in through that
provider session: the `sid` of the ID token is kept in the session at sign-in
(`remember_provider_session`).

A logout only ends sessions: the account stays active, and the person can sign in again
if their provider lets them (with "require single sign-on", there is no other way in).
Deactivating an account is the organisation admin's decision (programs.sso).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from core.models import SecurityEvent
from core.security import record_event
from programs.models import OrganizationSignOn

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# How old a logout token may be (its `iat`), and how far a provider's clock may run
# ahead of ours. A provider sends the token the moment the session ends.
MAX_TOKEN_AGE = 300
CLOCK_SKEW = 60
# A token's `jti` is remembered this long after its `iat` (longer than a token is
# accepted), so the same token cannot be played twice.
REPLAY_WINDOW = MAX_TOKEN_AGE + CLOCK_SKEW + 60
# The discovery document and the JWKS are kept this long; a key id that is not in the
# kept JWKS fetches it again (a provider rolled its keys), at most once a minute.
KEYS_CACHE_SECONDS = 300
KEYS_REFETCH_SECONDS = 60
# Signatures by the provider's public keys only: never "none", never a shared secret.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


# The session key that holds "<provider id> <sid>" of a sign-in through a provider that
# gave its session id in the ID token.
PROVIDER_SESSION_KEY = "_actionlab_sso_sid"


def remember_provider_session(
    sender: object, request: HttpRequest, user: Any, **kwargs: Any
) -> None:
    """At sign-in (allauth's `user_logged_in`), keep the provider's session id (`sid` of
    the ID token), so a logout token naming only that session finds this session."""
    if not hasattr(request, "session"):
        return
    sociallogin = kwargs.get("sociallogin")
    id_token = (
        (sociallogin.account.extra_data or {}).get("id_token")
        if isinstance(sociallogin, SocialLogin)
        else None
    )
    sid = id_token.get("sid") if isinstance(id_token, dict) else None
    if isinstance(sid, str) and sid:
        request.session[PROVIDER_SESSION_KEY] = f"{sociallogin.account.provider} {sid}"  # type: ignore[union-attr]
    else:
        request.session.pop(PROVIDER_SESSION_KEY, None)


def end_sessions_of_provider_session(provider_id: str, sid: str) -> list[int]:
    """Delete the sessions signed in through the provider's session `sid`; returns the
    ids of their users. Unexpired sessions are read one by one, as
    core.sessions.end_sessions_of does."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    wanted = f"{provider_id} {sid}"
    ended: list[str] = []
    users: list[int] = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(PROVIDER_SESSION_KEY) == wanted:
            ended.append(session.session_key)
            if data.get(SESSION_KEY) is not None:
                users.append(int(data[SESSION_KEY]))
    Session.objects.filter(session_key__in=ended).delete()
    return users


class LogoutTokenError(Exception):
    """A logout token that is refused; `reason` is a short code for the security log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _cache_key(kind: str, value: str) -> str:
    return f"sso:backchannel:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _get_json(request: HttpRequest, url: str) -> dict[str, Any]:
    with get_social_adapter(request).get_requests_session() as session:
        response = session.get(url)
        response.raise_for_status()
        data = response.json()
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def provider_configuration(request: HttpRequest, sign_on: OrganizationSignOn) -> dict[str, Any]:
    """The provider's discovery document, fetched from the configured issuer (and kept
    a few minutes)."""
    provider = get_social_adapter(request).get_provider(request, sign_on.app.provider_id)
    url = provider.wk_server_url(provider.server_url)
    key = _cache_key("config", url)
    config = cache.get(key)
    if config is None:
        try:
            config = _get_json(request, url)
        except (requests.RequestException, ValueError) as error:
            raise LogoutTokenError("provider_unreachable") from error
        cache.set(key, config, KEYS_CACHE_SECONDS)
    return config


def _signing_key(request: HttpRequest, jwks_uri: str, kid: str | None) -> jwt.PyJWK:
    key = _cache_key("jwks", jwks_uri)
    keys = cache.get(key)
    for attempt in range(2):
        if keys is None:
            try:
                keys = _get_json(request, jwks_uri)
            except (requests.RequestException, ValueError) as error:
                raise LogoutTokenError("provider_unreachable") from error
            cache.set(key, keys, KEYS_CACHE_SECONDS)
        try:
            key_set = jwt.PyJWKSet.from_dict(keys)
        except jwt.PyJWTError as error:
            raise LogoutTokenError("provider_keys_unusable") from error
        signing = [k for k in key_set.keys if k.public_key_use in (None, "sig")]
        if kid is None and len(signing) == 1:
            return signing[0]
        for candidate in signing:
            if kid is not None and candidate.key_id == kid:
                return candidate
        # An unknown key id: the provider may have rolled its keys since they were kept.
        if attempt == 0 and cache.add(
            _cache_key("refetched", jwks_uri), True, KEYS_REFETCH_SECONDS
        ):
            keys = None
            continue
        break
    raise LogoutTokenError("unknown_signing_key")


def validate_logout_token(
    request: HttpRequest, sign_on: OrganizationSignOn, token: str
) -> dict[str, Any]:
    """The claims of a valid logout token of the organisation's provider; raises
    LogoutTokenError otherwise. Its `jti` is remembered, so a second call with the same
    token fails ("replayed")."""
    if not token or len(token) > 16_000:
        raise LogoutTokenError("no_token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise LogoutTokenError("malformed") from error
    if header.get("alg") not in ALGORITHMS:
        raise LogoutTokenError("algorithm_refused")
    config = provider_configuration(request, sign_on)
    issuer, jwks_uri = config.get("issuer"), config.get("jwks_uri")
    if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
        raise LogoutTokenError("provider_configuration_incomplete")
    key = _signing_key(request, jwks_uri, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[header["alg"]],
            issuer=issuer,
            audience=sign_on.app.client_id,
            leeway=CLOCK_SKEW,
            options={"require": ["iss", "aud", "iat", "jti", "events"], "verify_iat": True},
        )
    except jwt.InvalidSignatureError as error:
        raise LogoutTokenError("bad_signature") from error
    except jwt.InvalidAudienceError as error:
        raise LogoutTokenError("wrong_audience") from error
    except jwt.InvalidIssuerError as error:
        raise LogoutTokenError("wrong_issuer") from error
    except jwt.ExpiredSignatureError as error:
        raise LogoutTokenError("expired") from error
    except jwt.ImmatureSignatureError as error:
        raise LogoutTokenError("issued_in_the_future") from error
    except jwt.MissingRequiredClaimError as error:
        raise LogoutTokenError(f"no_{error.claim}") from error
    except jwt.PyJWTError as error:
        raise LogoutTokenError("invalid_token") from error
    now = time.time()
    iat = claims["iat"]
    if not isinstance(iat, int | float) or iat < now - MAX_TOKEN_AGE or iat > now + CLOCK_SKEW:
        raise LogoutTokenError("stale")
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise LogoutTokenError("not_a_logout_event")
    if "nonce" in claims:
        raise LogoutTokenError("nonce_present")
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) and sub) and not (isinstance(sid, str) and sid):
        raise LogoutTokenError("no_subject")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti:
        raise LogoutTokenError("no_jti")
    if not cache.add(_cache_key("jti", f"{issuer}\n{jti}"), True, REPLAY_WINDOW):
        raise LogoutTokenError("replayed")
    return claims


def do_backchannel_logout(
    request: HttpRequest, sign_on: OrganizationSignOn, token: str
) -> int | None:
    """End every session of the person the organisation's provider names in a valid
    logout token. Returns how many sessions ended, or None when the provider names
    nobody ActionLab knows (a subject never linked, a provider session id alone).
    Raises LogoutTokenError (recorded as a failed single sign-on) for a token refused."""
    from core.sessions import end_sessions_of

    provider_id = sign_on.app.provider_id
    try:
        claims = validate_logout_token(request, sign_on, token)
    except LogoutTokenError as error:
        record_event(
            SecurityEvent.Kind.SSO_FAILED,
            request=request,
            provider=provider_id,
            organization_id=sign_on.organization_id,
            reason="logout_token_refused",
            error=error.reason,
        )
        raise
    sub, sid = claims.get("sub"), claims.get("sid")
    account = (
        SocialAccount.objects.select_related("user").filter(provider=provider_id, uid=sub).first()
        if isinstance(sub, str) and sub
        else None
    )
    if account is not None:
        ended = end_sessions_of(account.user_id)
        user = account.user
    elif isinstance(sid, str) and sid:
        users = end_sessions_of_provider_session(provider_id, sid)
        ended = len(users)
        user = account_user(users)
    else:
        ended, user = 0, None
    record_event(
        SecurityEvent.Kind.SSO_LOGOUT,
        request=request,
        user=user,
        provider=provider_id,
        organization_id=sign_on.organization_id,
        matched=bool(ended) or account is not None,
        by="sub" if account is not None else "sid" if ended else None,
        sessions_ended=ended,
    )
    return ended if (account is not None or ended) else None


def account_user(user_ids: list[int]) -> Any:
    """The one account whose sessions a provider session id ended, if one."""
    from programs.models import User

    return User.objects.filter(pk=user_ids[0]).first() if len(set(user_ids)) == 1 else None
