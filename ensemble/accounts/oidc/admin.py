"""The administration of identities at OpenID providers: operators link an account to an
identity (provider + subject) or unlink it, through the actions (checked and audited); a link
is never edited in place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.models import ExternalIdentity, User
from ensemble.accounts.oidc.actions import (
    check_link,
    link_identity,
    linkable_accounts,
    unlink_identity,
)
from ensemble.core.refusals import ActionRefused


class IdentityLinkForm(forms.ModelForm[ExternalIdentity]):
    provider = forms.ChoiceField(label=_("provider"))
    operator: User  # set by the admin for each request

    class Meta:
        model = ExternalIdentity
        fields = ["user", "provider", "subject"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        providers = settings.OIDC_PROVIDERS.values()
        self.fields["provider"].choices = [(p.name, p.label) for p in providers]  # type: ignore[attr-defined]
        self.fields["user"].queryset = linkable_accounts(self.operator)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") and data.get("provider") and data.get("subject"):
            try:
                check_link(self.operator, data["user"], data["provider"], data["subject"])
            except ActionRefused as refusal:
                raise forms.ValidationError(str(refusal)) from refusal
        return data


class ExternalIdentityAdmin(admin.ModelAdmin[ExternalIdentity]):
    list_display = ["subject", "provider", "user", "last_login_at", "created_at"]
    list_filter = ["provider"]
    search_fields = ["subject", "user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["issuer", "last_login_at", "claims", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExternalIdentity]:
        scope = linkable_accounts(request.user)  # type: ignore[arg-type]
        return super().get_queryset(request).filter(user__in=scope).select_related("user")

    def get_fields(self, request: HttpRequest, obj: ExternalIdentity | None = None) -> Any:
        if obj is None:
            return ["user", "provider", "subject"]
        return ["user", "provider", "issuer", "subject", "last_login_at", "claims", "created_at"]

    def get_form(
        self,
        request: HttpRequest,
        obj: ExternalIdentity | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[ExternalIdentity]]:
        if obj is None:  # the link form, for this operator
            kwargs["form"] = type(
                "IdentityLinkForm", (IdentityLinkForm,), {"operator": request.user}
            )
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(
        self, request: HttpRequest, obj: ExternalIdentity | None = None
    ) -> bool:
        return False  # unlink, then link again: each is audited

    def save_model(
        self, request: HttpRequest, obj: ExternalIdentity, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        linked = link_identity(
            request,
            request.user,  # type: ignore[arg-type]
            data["user"],
            data["provider"],
            data["subject"],
        )
        obj.pk, obj.issuer, obj.created_at = linked.pk, linked.issuer, linked.created_at

    def delete_model(self, request: HttpRequest, obj: ExternalIdentity) -> None:
        unlink_identity(request, request.user, obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExternalIdentity]) -> None:
        for identity in queryset:
            unlink_identity(request, request.user, identity)  # type: ignore[arg-type]


def register(site: admin.AdminSite) -> None:
    site.register(ExternalIdentity, ExternalIdentityAdmin)
