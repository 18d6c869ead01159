"""The administration site. An operator who is not a superuser sees and changes only the
people, teams and sessions of its own organisation, never a superuser, and cannot give anyone
(itself included) more rights or another organisation (ensemble.accounts.scopes)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ensemble.accounts import scopes
from ensemble.accounts.actions import email_changed_by_operator, set_active
from ensemble.accounts.models import Organisation, Team, TeamMembership, User, UserSession
from ensemble.accounts.oidc.admin import register as register_identities

# What only a superuser may change on an account: the rights, and which organisation it is of.
SUPERUSER_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions", "organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_external", "is_staff", "is_active"]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "is_external",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined", "email_verified", "totp_enabled"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "organisation", "is_external")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("Security"),
            {"fields": ("email_verified", "totp_enabled", "last_login", "date_joined")},
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["deactivate", "reactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request) & scopes.people_of(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += SUPERUSER_FIELDS
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # its address, then a password reset, would give its account away
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        if not change and not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id  # type: ignore[union-attr]
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            email_changed_by_operator(request, request.user, obj, form.initial["email"])  # type: ignore[arg-type]

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in self.changeable(request, queryset):
            set_active(request, request.user, user, False)  # type: ignore[arg-type]

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in self.changeable(request, queryset):
            set_active(request, request.user, user, True)  # type: ignore[arg-type]

    def changeable(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(is_superuser=True)


class MembershipInline(admin.TabularInline[TeamMembership, Team]):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = scopes.people_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "siret"]
    search_fields = ["name", "siret"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request) & scopes.organisations_of(request.user)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "organisation"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request) & scopes.teams_of(request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = scopes.organisations_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin[UserSession]):
    list_display = ["user", "ip", "created_at", "last_seen_at"]
    search_fields = ["user__email", "ip"]
    readonly_fields = ["session_key", "user", "ip", "user_agent", "created_at", "last_seen_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserSession]:
        return super().get_queryset(request).filter(user__in=scopes.people_of(request.user))

    def has_add_permission(self, request: object) -> bool:
        return False


register_identities(admin.site)
