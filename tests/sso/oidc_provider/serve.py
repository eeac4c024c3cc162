"""Start the test OpenID Connect provider: python -m tests.sso.oidc_provider.serve
<data dir> <port> <spec.json>.

The spec lists users ({"email", "password", "first_name", "last_name", "groups",
"active"}) and clients ({"name", "client_id", "client_secret", "redirect_uris",
"skip_authorization": false to ask the person's consent}). A new
database and RSA key are made in the data dir, then Django's threaded development server
serves the provider on 127.0.0.1:<port> until the process is stopped.
"""

import json
import os
import sys
from pathlib import Path


def main() -> None:
    data, port, spec_path = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    data.mkdir(parents=True, exist_ok=True)
    key = data / "key.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.environ["OIDC_PROVIDER_DATA"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    spec = json.loads(spec_path.read_text())
    for person in spec["users"]:
        user = User.objects.create_user(
            username=person["email"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
            is_active=person.get("active", True),
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    for client in spec["clients"]:
        Application.objects.create(
            name=client["name"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=client.get("skip_authorization", True),
        )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
