"""The Django admin works for site admins and signs in through allauth."""

from __future__ import annotations

import pytest
from django.test import Client

from programs.models import User
from tests.conftest import Cast


@pytest.fixture
def site_admin(db: None) -> Client:
    user = User.objects.create_superuser(email="root@example.org", password="a-long-password-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/programs/user/",
        "/admin/programs/program/",
        "/admin/programs/membership/",
        "/admin/programs/profile/",
        "/admin/teams/team/",
        "/admin/projects/project/",
    ],
)
def test_site_admin_opens_the_admin_pages(cast: Cast, site_admin: Client, path: str) -> None:
    assert site_admin.get(path).status_code == 200


def test_admin_login_goes_through_allauth(db: None) -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_program_people_without_staff_rights_cannot_use_the_admin(cast: Cast) -> None:
    response = cast.client_for("program_admin").get("/admin/programs/user/")
    assert response.status_code in (302, 403)
    assert b"root@example.org" not in response.content
