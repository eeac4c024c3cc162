"""Create an organisation and invite its first admin, for scripted installs: the same
service the site admin's Organisations page calls."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from programs.models import validate_time_zone
from programs.org_services import do_create_organization, organization_invitation_url


class Command(BaseCommand):
    help = "Create an organisation and email its first organisation admin an invitation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument(
            "--admin-email", required=True, help="Who is invited to administer it."
        )
        parser.add_argument(
            "--time-zone",
            default="America/New_York",
            help="The zone new people start with (IANA name, default America/New_York).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["admin_email"])
            validate_time_zone(options["time_zone"])
            organization, invitation = do_create_organization(
                name=options["name"],
                time_zone=options["time_zone"],
                admin_email=options["admin_email"],
                by=None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Created {organization.name} ({organization.time_zone}). An invitation to "
            f"administer it is on its way to {invitation.email}; the link, valid once, is:\n"
            f"{organization_invitation_url(invitation)}"
        )
