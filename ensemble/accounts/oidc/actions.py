"""Signing a person in from a provider's verified claims: find, link or create the account."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import sign_in
from ensemble.accounts.models import ExternalIdentity, Organisation, User
from ensemble.accounts.models.organisations import siret_validator
from ensemble.accounts.oidc.config import OIDCProvider
from ensemble.accounts.oidc.protocol import SignInFailed
from ensemble.core import audit

KEPT_CLAIMS = (
    "email",
    "given_name",
    "usual_name",
    "uid",
    "siret",
    "organization_label",
    "idp_id",
    "phone",
)


def full_name(claims: dict[str, Any]) -> str:
    return " ".join(part for part in (claims.get("given_name"), claims.get("usual_name")) if part)


def organisation_for(claims: dict[str, Any]) -> Organisation | None:
    siret = str(claims.get("siret") or "").strip()
    if not siret:
        return None
    try:
        siret_validator(siret)
    except ValidationError:
        return None
    label = str(claims.get("organization_label") or "").strip()[:200] or siret
    organisation, _created = Organisation.objects.get_or_create(
        siret=siret, defaults={"name": label}
    )
    return organisation


def account_for(provider: OIDCProvider, issuer: str, claims: dict[str, Any]) -> User:
    """The account of these claims: by (issuer, sub), else by e-mail if allowed, else new."""
    email = str(claims.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise SignInFailed(
            _(
                "Your identity provider did not give a valid e-mail address, which Ensemble "
                "needs. Check your account there or contact your IT department."
            ),
            "missing or invalid e-mail",
        ) from error
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=claims["sub"])
        .first()
    )
    if identity is not None:
        return identity.user
    user = User.objects.filter(email=email).first()
    if user is not None and not provider.email_fallback:
        raise SignInFailed(
            _(
                "An account with this e-mail address already exists. Ask your administrator "
                "to link it to %(provider)s."
            )
            % {"provider": provider.label},
            "e-mail already used by an unlinked account",
        )
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name(claims))
        audit.record("accounts.user_created", target=user, data={"provider": provider.name})
    ExternalIdentity.objects.create(
        user=user, provider=provider.name, issuer=issuer, subject=claims["sub"]
    )
    audit.record(
        "accounts.identity_linked",
        target=user,
        actor_label=email,
        data={"provider": provider.name, "subject": claims["sub"]},
    )
    return user


def sign_in_with_provider(
    request: HttpRequest, provider: OIDCProvider, issuer: str, claims: dict[str, Any]
) -> User:
    """Create or update the account from verified claims and sign it in (all or nothing)."""
    with transaction.atomic():
        user = account_for(provider, issuer, claims)
        if not user.is_active:
            raise SignInFailed(
                _("Your account is deactivated. Contact your administrator."),
                "account deactivated",
            )
        user.full_name = full_name(claims) or user.full_name
        user.organisation = organisation_for(claims) or user.organisation
        user.save(update_fields=["full_name", "organisation"])
        ExternalIdentity.objects.filter(issuer=issuer, subject=claims["sub"]).update(
            last_login_at=timezone.now(),
            claims={name: claims[name] for name in KEPT_CLAIMS if name in claims},
        )
        sign_in(request, user, method=f"oidc:{provider.name}")
    return user
