"""The Django admin's one rule for what people wrote (DESIGN.md: the site admin reaches no
private writing by any path).

Every model registered in the admin with a text field uses `WritingAdmin` and sorts each
of its text fields into `protected_fields` (what a person wrote, and secrets) or
`public_fields` (names, choices, time zones). `tests/test_admin.py` walks the registry and
fails for a model that leaves one undeclared. A text field of a model that declares
nothing (one not registered, reached through a relation) counts as protected.

A protected field is never shown on a change or list page, and no path may reach it: a
query-string lookup (`?body__startswith=a`, whose count would spell out the text letter
by letter), a filter, a search (`?q=`), an ordering (`?o=`, the default ordering) or a
popup's `_to_field`. A refused lookup answers 400 and is a security event; declared
filters, searches and orderings that would reach one are left out.
"""

from __future__ import annotations

from typing import Any, ClassVar

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.admin import SocialAccountAdmin as AllauthSocialAccountAdmin
from allauth.socialaccount.admin import SocialAppAdmin as AllauthSocialAppAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from core.models import SecurityEvent
from core.security import record_event

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def text_field_names(model: type[models.Model]) -> set[str]:
    """The model's own fields that hold text: the ones an admin must declare."""
    return {
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, TEXT_FIELDS) and field.concrete
    }


def undeclared_writing(site: AdminSite) -> list[str]:
    """What breaks the rule on `site`: a registered model with text whose admin is not a
    `WritingAdmin`, or a text field declared neither protected nor public."""
    problems = []
    for model, model_admin in site._registry.items():
        text = text_field_names(model)
        if not text:
            continue
        label = model._meta.label
        if not isinstance(model_admin, WritingAdmin):
            problems.append(f"{label}: its admin must be a core.admin.WritingAdmin")
            continue
        protected, public = set(model_admin.protected_fields), set(model_admin.public_fields)
        problems += [
            f"{label}.{name}: declare it protected or public"
            for name in sorted(text - protected - public)
        ]
        problems += [
            f"{label}.{name}: both protected and public" for name in sorted(protected & public)
        ]
    return problems


def _declared(site: AdminSite, model: type[models.Model]) -> tuple[set[str], set[str]]:
    model_admin = site._registry.get(model)
    if isinstance(model_admin, WritingAdmin):
        return set(model_admin.protected_fields), set(model_admin.public_fields)
    return set(), set()


def touches_writing(site: AdminSite, model: type[models.Model], path: str) -> bool:
    """Whether a lookup, filter, search or ordering path (`author__email`, `-title`,
    `^body`, `tags__name__startswith`) reaches a protected field, on `model` or on a
    model it leads to."""
    for part in path.lstrip("-^=@").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform (`startswith`, `year`), or no field at all
        protected, public = _declared(site, model)
        if field.name in protected:
            return True
        if isinstance(field, TEXT_FIELDS) and field.name not in public:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def filter_path(item: Any) -> str | None:
    """The field path of a `list_filter` entry; None for a SimpleListFilter class."""
    if isinstance(item, str):
        return item
    if isinstance(item, list | tuple):
        return str(item[0])
    return None


class WritingAdmin[M: models.Model](admin.ModelAdmin[M]):
    """The base of every admin for a model with text fields (see the module docstring)."""

    #: What a person wrote (or a secret): never shown, filtered, searched or ordered by.
    protected_fields: ClassVar[tuple[str, ...]] = ()
    #: Text fields that are not anyone's writing: names, choices, time zones.
    public_fields: ClassVar[tuple[str, ...]] = ()

    def _touches(self, path: str) -> bool:
        return touches_writing(self.admin_site, self.model, path)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if self._touches(lookup):
            record_event(
                SecurityEvent.Kind.ADMIN_LOOKUP_REFUSED,
                request=request,
                model=self.model._meta.label,
                lookup=lookup,
            )
            return False
        return super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request: HttpRequest, to_field: str) -> bool:
        return not self._touches(to_field) and super().to_field_allowed(request, to_field)

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [
            item
            for item in super().get_list_filter(request)
            if (path := filter_path(item)) is None or not self._touches(path)
        ]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [path for path in super().get_search_fields(request) if not self._touches(path)]

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        return [
            item
            for item in super().get_ordering(request)
            if not isinstance(item, str) or not self._touches(item)
        ]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return [
            item
            for item in super().get_list_display(request)
            if not isinstance(item, str) or item not in self.protected_fields
        ]

    def get_sortable_by(self, request: HttpRequest) -> list[Any]:
        allowed: list[Any] = []
        for name in super().get_sortable_by(request):
            if not isinstance(name, str):
                continue
            attr = getattr(self, name, None) or getattr(self.model, name, None)
            ordering = getattr(attr, "admin_order_field", None) or name
            if isinstance(ordering, str) and self._touches(ordering):
                continue
            if name not in self.protected_fields:
                allowed.append(name)
        return allowed

    def get_fields(self, request: HttpRequest, obj: M | None = None) -> list[Any]:
        return [
            name
            for name in super().get_fields(request, obj)
            if not isinstance(name, str) or name not in self.protected_fields
        ]

    def get_fieldsets(self, request: HttpRequest, obj: M | None = None) -> Any:
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                name
                for name in options.get("fields", ())
                if not isinstance(name, str) or name not in self.protected_fields
            ]
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: M | None = None) -> list[str]:
        return [
            name
            for name in super().get_readonly_fields(request, obj)
            if name not in self.protected_fields
        ]

    def get_exclude(self, request: HttpRequest, obj: M | None = None) -> list[str] | None:
        excluded = super().get_exclude(request, obj)
        if not self.protected_fields:
            return None if excluded is None else list(excluded)
        return [*(excluded or ()), *self.protected_fields]


@admin.register(SecurityEvent)
class SecurityEventAdmin(WritingAdmin[SecurityEvent]):
    """The security log, read-only: rows are written by the application alone and no one
    may add, change or delete them here."""

    public_fields = ("kind", "details")
    list_display = ("created_at", "kind", "user", "ip_address", "details")
    list_filter = ("kind",)
    search_fields = ("user__email", "ip_address", "details__login")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "user", "ip_address", "details")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# The libraries' account admins, under the same rule. A site admin may look at a
# person's addresses and authenticators, but not add or change them: an address of their
# own on someone's account would bring that person's password reset link to them.

admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)
admin.site.unregister(SocialApp)
admin.site.unregister(SocialAccount)
admin.site.unregister(SocialToken)


@admin.register(Group)
class GroupAdmin(WritingAdmin[Group], DjangoGroupAdmin):
    public_fields = ("name",)


@admin.register(EmailAddress)
class EmailAddressAdmin(WritingAdmin[EmailAddress], AllauthEmailAddressAdmin):
    public_fields = ("email",)
    actions = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Authenticator)
class AuthenticatorAdmin(WritingAdmin[Authenticator], AllauthAuthenticatorAdmin):
    # `data` holds the TOTP secret and the recovery codes' seed.
    protected_fields = ("data",)
    public_fields = ("type",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Organisations' single sign-on providers. Their admins configure them in the app
# (programs/sso.py); here they can be looked at, never changed, and the secrets (the
# client secret, the key, the settings that may hold a private key) are not shown.


@admin.register(SocialApp)
class SocialAppAdmin(WritingAdmin[SocialApp], AllauthSocialAppAdmin):
    protected_fields = ("secret", "key", "settings")
    public_fields = ("provider", "provider_id", "name", "client_id")
    list_display = ("name", "provider", "provider_id", "client_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SocialAccount)
class SocialAccountAdmin(WritingAdmin[SocialAccount], AllauthSocialAccountAdmin):
    # What the provider said about the person (its claims or attributes).
    protected_fields = ("extra_data",)
    public_fields = ("provider", "uid")
    actions = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
