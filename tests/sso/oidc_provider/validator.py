"""Claims of the test provider's users, and the misbehaving clients.

A user's claims: email (their username), email_verified (false for members of the group
"unverified"), given/family name, and `amr`: ["pwd", "mfa"] for members of the group
"mfa", else ["pwd"]. Clients misbehave by name, as a broken or hostile provider would:
"wrong-audience" issues ID tokens for another audience; "expired" issues ID tokens that
expired five minutes ago.

Every ID token carries a `sid` of its own (the provider's session of that sign-in), as
providers that implement back-channel logout do.
"""

import time
import uuid

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # Every claim below goes out whatever the scopes (amr has no scope of its own).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        return {
            "email": user.email,
            "email_verified": "unverified" not in groups,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "amr": ["pwd", "mfa"] if "mfa" in groups else ["pwd"],
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        claims["sid"] = f"sid-{uuid.uuid4().hex}"
        name = request.client.name
        if name == "wrong-audience":
            claims["aud"] = "some-other-application"
        elif name == "expired":
            claims["exp"] = int(time.time()) - 300
        return claims, expiration_time
