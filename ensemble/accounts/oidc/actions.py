"""Single sign-on's writes: signing a person in from a provider's verified claims (find, link
or create the account), and operators linking an account to an identity, or unlinking it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import sign_in
from ensemble.accounts.models import ExternalIdentity, Organisation, User
from ensemble.accounts.models.organisations import siret_validator
from ensemble.accounts.oidc import protocol
from ensemble.accounts.oidc.config import OIDCProvider
from ensemble.accounts.oidc.protocol import SignInFailed
from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.core.refusals import ActionRefused, BadInput

KEPT_CLAIMS = (
    "email",
    "email_verified",
    "given_name",
    "usual_name",
    "uid",
    "siret",
    "organization_label",
    "idp_id",
    "phone",
    "phone_number",
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
    created = user is None
    if user is not None:
        check_email_fallback(provider, user, claims)
    else:
        user = User.objects.create_user(email, None, full_name=full_name(claims))
        audit.record("accounts.user_created", target=user, data={"provider": provider.name})
    ExternalIdentity.objects.create(
        user=user, provider=provider.name, issuer=issuer, subject=claims["sub"]
    )
    audit.record(
        "accounts.identity_linked",
        target=user,
        actor_label=email,
        data={
            "provider": provider.name,
            "subject": claims["sub"],
            "by": "new account" if created else "e-mail",
        },
    )
    return user


def check_email_fallback(provider: OIDCProvider, user: User, claims: dict[str, Any]) -> None:
    """May a first sign-in be linked to the existing ``user`` of the same e-mail address?

    Only if the provider is trusted for it, says the address is verified, and the account is
    neither an operator's nor protected by a second factor that the link would skip."""
    ask_admin = _("Ask your administrator to link it to %(provider)s.") % {
        "provider": provider.label
    }
    if not provider.email_fallback:
        message = _("An account with this e-mail address already exists.")
        reason = "e-mail already used by an unlinked account"
    elif claims.get("email_verified") is not True:
        message = _(
            "An account with this e-mail address already exists, and %(provider)s does not "
            "say that the address is verified."
        ) % {"provider": provider.label}
        reason = "e-mail fallback refused: e-mail not verified by the provider"
    elif user.is_staff or user.is_superuser:
        message = _("An operator's account is never linked by its e-mail address.")
        reason = "e-mail fallback refused: operator account"
    elif user.totp_enabled:
        message = _(
            "This account is protected by two-factor authentication, so it is not linked by "
            "its e-mail address. Sign in with your password and code."
        )
        reason = "e-mail fallback refused: two-factor authentication on"
    else:
        return
    raise SignInFailed(f"{message} {ask_admin}", reason)


def managed_by_scim(user: User) -> bool:
    """Is the account managed by a provisioning system (SCIM)? Then that system, not each
    sign-in, says its name and organisation. It is if the system gave it an externalId, or
    created it."""
    if user.scim_external_id:
        return True
    return AuditEntry.objects.filter(
        action="scim.user_created", target_type="accounts.user", target_id=str(user.pk)
    ).exists()


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
        if not managed_by_scim(user):
            user.full_name = full_name(claims) or user.full_name
            user.organisation = organisation_for(claims) or user.organisation
            user.save(update_fields=["full_name", "organisation"])
        ExternalIdentity.objects.filter(issuer=issuer, subject=claims["sub"]).update(
            last_login_at=timezone.now(),
            claims={name: claims[name] for name in KEPT_CLAIMS if name in claims},
        )
        sign_in(request, user, method=f"oidc:{provider.name}")
    return user


# Operators linking accounts to identities -------------------------------------------------


class AlreadyLinked(ActionRefused):
    status_code = 409


class ProviderUnavailable(ActionRefused):
    status_code = 503


def linkable_accounts(operator: User) -> QuerySet[User]:
    """The accounts an operator may link and unlink: any for a superuser; for other operators,
    those of their own organisation, operators' accounts excepted."""
    if operator.is_superuser:
        return User.objects.all()
    if not operator.is_staff or operator.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(
        organisation_id=operator.organisation_id, is_staff=False, is_superuser=False
    )


def check_link(operator: User, user: User, provider_name: str, subject: str) -> tuple[str, str]:
    """Validate a link of ``user`` to (provider, subject); return the provider's issuer and
    the subject to store. Writes nothing."""
    if not linkable_accounts(operator).filter(pk=user.pk).exists():
        raise ActionRefused(_("You may not link this account."))
    provider: OIDCProvider | None = settings.OIDC_PROVIDERS.get(provider_name)
    if provider is None:
        raise BadInput(_("Unknown identity provider."))
    subject = subject.strip()
    if not subject or len(subject) > 255:
        raise BadInput(_("The identifier at the provider must have 1 to 255 characters."))
    try:
        issuer = str(protocol.metadata(provider)["issuer"])
    except SignInFailed as failure:
        raise ProviderUnavailable(failure.message) from failure
    if ExternalIdentity.objects.filter(issuer=issuer, subject=subject).exists():
        raise AlreadyLinked(_("This identity is already linked to an account."))
    return issuer, subject


def link_identity(
    request: HttpRequest | None, operator: User, user: User, provider_name: str, subject: str
) -> ExternalIdentity:
    """Link an account to the identity (provider, subject): that identity signs in to it."""
    issuer, subject = check_link(operator, user, provider_name, subject)
    try:
        with transaction.atomic():
            identity = ExternalIdentity.objects.create(
                user=user, provider=provider_name, issuer=issuer, subject=subject
            )
            audit.record(
                "accounts.identity_linked",
                actor=operator,
                target=user,
                request=request,
                data={"provider": provider_name, "subject": subject, "by": "operator"},
            )
    except IntegrityError as error:  # linked by someone else in the meantime
        raise AlreadyLinked(_("This identity is already linked to an account.")) from error
    return identity


def unlink_identity(
    request: HttpRequest | None, operator: User, identity: ExternalIdentity
) -> None:
    """Unlink an identity from its account: it no longer signs in to it."""
    if not linkable_accounts(operator).filter(pk=identity.user_id).exists():
        raise ActionRefused(_("You may not unlink this account."))
    with transaction.atomic():
        identity.delete()
        audit.record(
            "accounts.identity_unlinked",
            actor=operator,
            target=identity.user,
            request=request,
            data={"provider": identity.provider, "subject": identity.subject},
        )
