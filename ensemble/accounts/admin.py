from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.actions import set_active
from ensemble.accounts.models import Organisation, Team, TeamMembership, User, UserSession


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_external", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_external", "organisation"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined", "totp_enabled"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "organisation", "is_external")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Security"), {"fields": ("totp_enabled", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["deactivate", "reactivate"]

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            set_active(request, request.user, user, False)  # type: ignore[arg-type]

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            set_active(request, request.user, user, True)  # type: ignore[arg-type]


class MembershipInline(admin.TabularInline[TeamMembership, Team]):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "siret"]
    search_fields = ["name", "siret"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin[UserSession]):
    list_display = ["user", "ip", "created_at", "last_seen_at"]
    search_fields = ["user__email", "ip"]
    readonly_fields = ["session_key", "user", "ip", "user_agent", "created_at", "last_seen_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
