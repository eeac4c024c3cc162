"""The Django admin works for site admins and signs in through allauth."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from coaching.models import CoachNote
from core.admin import WritingAdmin, filter_path, touches_writing, undeclared_writing
from core.models import SecurityEvent
from programs.models import User
from reflections.models import TeamReflectionEdit
from tests.conftest import Cast


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


# One rule for writing: every model in the admin with a text field declares each of them
# protected or public (core.admin.WritingAdmin), and no query string reaches a protected one.

LOOKUP_ATTACKS = ("__startswith", "__contains", "__regex", "__gt", "", "__isnull")


def _writing_admins() -> list[tuple[type[Model], WritingAdmin[Any]]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, WritingAdmin)
    ]


def test_every_model_with_text_in_the_admin_declares_each_text_field() -> None:
    assert undeclared_writing(admin.site) == []


def test_a_model_with_text_registered_without_the_rule_is_caught() -> None:
    site = AdminSite(name="elsewhere")
    site.register(TeamReflectionEdit)  # a plain ModelAdmin

    class HalfDeclared(WritingAdmin[CoachNote]):
        public_fields = ()

    site.register(CoachNote, HalfDeclared)
    assert undeclared_writing(site) == [
        "reflections.TeamReflectionEdit: its admin must be a core.admin.WritingAdmin",
        "coaching.CoachNote.body: declare it protected or public",
    ]


def test_the_writing_models_keep_their_text_protected() -> None:
    protected = {
        model._meta.label: set(model_admin.protected_fields)
        for model, model_admin in _writing_admins()
    }
    assert protected["reflections.Reflection"] >= {"title", "body", "tags"}
    assert protected["reflections.CheckIn"] >= {"steps_taken", "next_focus", "progress"}
    assert protected["reflections.TeamReflection"] >= {"title", "body"}
    assert protected["reflections.Plan"] >= {"aspect", "action"}
    assert protected["reflections.Draft"] >= {"title", "body", "tags"}
    assert protected["coaching.CoachNote"] >= {"body"}
    assert protected["projects.Project"] >= {"problem_statement", "scope"}
    assert protected["programs.User"] >= {"password"}
    assert protected["mfa.Authenticator"] >= {"data"}
    # Learning themes are words from people's entries: no admin page lists them.
    assert "reflections.Tag" not in {m._meta.label for m in admin.site._registry}


def test_no_declared_filter_search_ordering_or_column_reaches_protected_text(
    rf: RequestFactory,
) -> None:
    request = rf.get("/admin/")
    for model, model_admin in admin.site._registry.items():
        paths = [
            *(p for p in map(filter_path, model_admin.list_filter) if p),
            *model_admin.search_fields,
            *(o for o in (model_admin.ordering or ()) if isinstance(o, str)),
            *([model_admin.date_hierarchy] if model_admin.date_hierarchy else []),
        ]
        for path in paths:
            assert not touches_writing(admin.site, model, path), (model._meta.label, path)
        if isinstance(model_admin, WritingAdmin):
            # What the admin uses at run time, after any override (allauth's search
            # fields come from its adapter, for instance).
            request.user = User(is_superuser=True, is_staff=True, is_active=True)
            columns = set(model_admin.get_sortable_by(request))
            assert not columns & set(model_admin.protected_fields), model._meta.label
            for path in [
                *(p for p in map(filter_path, model_admin.get_list_filter(request)) if p),
                *model_admin.get_search_fields(request),
                *(o for o in model_admin.get_ordering(request) if isinstance(o, str)),
            ]:
                assert not touches_writing(admin.site, model, path), (model._meta.label, path)


@pytest.mark.parametrize("attack", LOOKUP_ATTACKS)
def test_no_lookup_on_a_protected_field_is_allowed(
    cast: Cast, site_admin: Client, attack: str
) -> None:
    for model, model_admin in _writing_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in model_admin.protected_fields:
            lookup = f"{name}{attack}"
            before = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ADMIN_LOOKUP_REFUSED)
            count = before.count()
            response = site_admin.get(url, {lookup: "1" if attack != "__isnull" else "true"})
            assert response.status_code == 400, (model._meta.label, lookup)
            assert before.count() == count + 1
            event = before.first()
            assert event is not None
            assert event.details == {"model": model._meta.label, "lookup": lookup}


def test_a_relation_cannot_reach_protected_text_either(cast: Cast, site_admin: Client) -> None:
    for url, lookup in [
        ("/admin/programs/user/", "reflections__body__startswith"),
        ("/admin/teams/team/", "reflections__body__startswith"),
        ("/admin/teams/team/", "coach_notes__body__contains"),
        ("/admin/programs/program/", "checkins__steps_taken__gt"),
        ("/admin/projects/project/", "changes__new_text__startswith"),
    ]:
        assert site_admin.get(url, {lookup: "a"}).status_code == 400, (url, lookup)


def test_a_popup_cannot_return_protected_text(cast: Cast, site_admin: Client) -> None:
    response = site_admin.get("/admin/reflections/reflection/", {"_to_field": "body"})
    assert response.status_code == 400
