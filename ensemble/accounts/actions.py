"""Every write to accounts that a person can cause: validated, audited, published."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts import throttling, tokens
from ensemble.accounts.models import (
    ApiToken,
    Organisation,
    Team,
    TeamMembership,
    TeamRole,
    User,
    UserSession,
)
from ensemble.core import audit
from ensemble.core.audit import client_ip
from ensemble.core.realtime import close_sockets_of
from ensemble.core.refusals import ActionRefused

__all__ = ["ActionRefused"]  # where the rest of accounts has always found it


def check_not_locked(request: HttpRequest, email: str, *, audit_refusal: bool = True) -> None:
    """Refuse an attempt while the account is locked out from this address; the refused
    attempt is audited (unless the caller just audited it as a failure)."""
    minutes = throttling.minutes_locked(email, client_ip(request))
    if minutes:
        if audit_refusal:
            audit.record(
                "accounts.sign_in_failed",
                request=request,
                actor_label=email[:255],
                data={"reason": "locked out"},
            )
        raise ActionRefused(
            _(
                "Too many failed sign-in attempts. For your security, sign-in is blocked "
                "for %(minutes)s more minute(s)."
            )
            % {"minutes": minutes}
        )


def record_failed_sign_in(request: HttpRequest, email: str, reason: str) -> None:
    with transaction.atomic():
        throttling.record_failure(email, client_ip(request))
        audit.record(
            "accounts.sign_in_failed",
            request=request,
            actor_label=email[:255],
            data={"reason": reason},
        )


def sign_in(request: HttpRequest, user: User, method: str = "password") -> None:
    with transaction.atomic():
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user.inactivity_warned_at is not None:
            user.inactivity_warned_at = None
            user.save(update_fields=["inactivity_warned_at"])
        throttling.clear_failures(user.email, client_ip(request))
        UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "ip": client_ip(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
            },
        )
        audit.record("accounts.signed_in", actor=user, request=request, data={"method": method})


def sign_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        audit.record("accounts.signed_out", actor=user, request=request)
        UserSession.objects.filter(session_key=request.session.session_key).delete()
        close_sockets_of([request.session.session_key or ""])
    logout(request)


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End a user's sessions (all, or all but ``keep``); returns how many were ended."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    keys = list(sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    sessions.delete()
    close_sockets_of(keys)
    return len(keys)


def password_was_reset(user: User) -> None:
    """After a reset by e-mail: whoever held the old password is signed out everywhere (its
    API tokens were revoked as the password changed: see signals.py), and the account is no
    longer locked out from any address."""
    with transaction.atomic():
        ended = end_sessions(user)
        throttling.clear_all_failures(user.email)
        audit.record(
            "accounts.password_reset", actor=user, target=user, data={"sessions_ended": ended}
        )


def revoke_session(request: HttpRequest, user: User, session: UserSession) -> None:
    with transaction.atomic():
        Session.objects.filter(session_key=session.session_key).delete()
        session.delete()
        close_sockets_of([session.session_key])
        audit.record(
            "accounts.session_revoked",
            actor=user,
            request=request,
            data={"ip": session.ip, "user_agent": session.user_agent},
        )


def update_profile(request: HttpRequest, user: User, changes: dict[str, Any]) -> User:
    allowed = {"full_name", "language", "share_read_receipts"}
    with transaction.atomic():
        for field, value in changes.items():
            if field in allowed:
                setattr(user, field, value)
        user.full_clean()
        user.save()
        audit.record(
            "accounts.profile_updated",
            actor=user,
            target=user,
            request=request,
            data={"fields": sorted(set(changes) & allowed)},
        )
    return user


def start_totp(user: User) -> str:
    """Give the user a new (not yet active) TOTP secret; return its provisioning URI."""
    user.totp_secret, user.totp_last_step = pyotp.random_base32(), None
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return totp_uri(user)


def totp_uri(user: User) -> str:
    """What the QR code holds: the secret, the account and the issuer for the phone app."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="Ensemble")


def verify_totp(user: User, code: str) -> bool:
    """Whether ``code`` is a current code of the user (the time step before and after count,
    for clocks that drift) that was not used before; a code accepted here is used up: the same
    code, or an older one, is refused afterwards (RFC 6238 §5.2)."""
    code = "".join(code.split())
    if not user.totp_secret or not code.isdigit():
        return False
    totp, now = pyotp.TOTP(user.totp_secret), timezone.now()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            step = totp.timecode(moment)
            # One conditional UPDATE: of two requests with the same code, one wins.
            unused = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
            if not User.objects.filter(unused, pk=user.pk).update(totp_last_step=step):
                return False
            user.totp_last_step = step
            return True
    return False


def enable_totp(request: HttpRequest, user: User, code: str) -> None:
    if not verify_totp(user, code):
        raise ActionRefused(_("This code is not valid. Check your phone's clock and try again."))
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        audit.record("accounts.totp_enabled", actor=user, target=user, request=request)


def disable_totp(request: HttpRequest, user: User, *, password: str = "", code: str = "") -> None:
    """Turn the second factor off, if the person proves it is them: with the account's password
    or a current code (a stolen session alone is not enough). A wrong password counts as a
    failed sign-in, so that the form cannot be used to guess it."""
    check_not_locked(request, user.email)
    proven = bool(code.strip()) and verify_totp(user, code)
    if not proven and password:
        proven = user.check_password(password)
        if not proven:
            record_failed_sign_in(request, user.email, "wrong password to turn off 2FA")
    if not proven:
        raise ActionRefused(
            _(
                "Enter your password or a current code from your authenticator app to turn "
                "off two-factor authentication."
            )
        )
    with transaction.atomic():
        user.totp_enabled, user.totp_secret = False, ""
        user.save(update_fields=["totp_enabled", "totp_secret"])
        audit.record("accounts.totp_disabled", actor=user, target=user, request=request)


def create_team(request: HttpRequest, user: User, name: str) -> Team:
    if user.is_external or user.organisation_id is None:
        raise ActionRefused(_("Only members of an organisation can create teams."))
    with transaction.atomic():
        team = Team(name=name, organisation_id=user.organisation_id)
        team.full_clean()
        team.save()
        TeamMembership.objects.create(team=team, user=user, role=TeamRole.OWNER)
        audit.record("accounts.team_created", actor=user, target=team, request=request)
    return team


def set_team_member(
    request: HttpRequest, actor: User, team: Team, member: User, role: str
) -> TeamMembership:
    if member.organisation_id != team.organisation_id and not member.is_external:
        raise ActionRefused(_("This person is not in the team's organisation."))
    if member.is_external and role != TeamRole.MEMBER:
        raise ActionRefused(_("An external user can only be a member."))
    actor_is_owner = team.get_role(actor) == TeamRole.OWNER
    if role == TeamRole.OWNER and not actor_is_owner:
        raise ActionRefused(_("Only an owner can make someone an owner."))
    with transaction.atomic():
        current = locked_team(team).memberships.filter(user=member).first()
        if current is not None and current.role == TeamRole.OWNER and role != TeamRole.OWNER:
            if not actor_is_owner:
                raise ActionRefused(_("Only an owner can change an owner's role."))
            keep_an_owner(team, current)
        membership, created = TeamMembership.objects.update_or_create(
            team=team, user=member, defaults={"role": role}
        )
        audit.record(
            "accounts.team_member_added" if created else "accounts.team_member_role_changed",
            actor=actor,
            target=team,
            request=request,
            data={"member": str(member.pk), "role": role},
        )
    return membership


def locked_team(team: Team) -> Team:
    """Lock the team's row until the transaction ends: the check that it keeps an owner and
    the change it allows happen as one."""
    return Team.objects.select_for_update().get(pk=team.pk)


def keep_an_owner(team: Team, membership: TeamMembership) -> None:
    """Refuse to take away the team's last owner (the caller holds the team's lock)."""
    others = team.memberships.filter(role=TeamRole.OWNER).exclude(pk=membership.pk)
    if membership.role == TeamRole.OWNER and not others.exists():
        raise ActionRefused(_("A team needs at least one owner: name another owner first."))


def remove_team_member(request: HttpRequest, actor: User, team: Team, member: User) -> None:
    with transaction.atomic():
        membership = locked_team(team).memberships.filter(user=member).first()
        if membership is None:
            raise ActionRefused(_("This person is not a member of the team."))
        owner_removed_by_another = membership.role == TeamRole.OWNER and actor.pk != member.pk
        if owner_removed_by_another and team.get_role(actor) != TeamRole.OWNER:
            raise ActionRefused(_("Only an owner can remove an owner."))
        keep_an_owner(team, membership)
        membership.delete()
        audit.record(
            "accounts.team_member_removed",
            actor=actor,
            target=team,
            request=request,
            data={"member": str(member.pk)},
        )


def create_organisation(request: HttpRequest | None, name: str, siret: str | None) -> Organisation:
    with transaction.atomic():
        organisation = Organisation(name=name, siret=siret or None)
        organisation.full_clean()
        organisation.save()
        audit.record("accounts.organisation_created", target=organisation, request=request)
    return organisation


def touch_session(session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def create_api_token(
    request: HttpRequest, user: User, name: str, scopes: list[str], days: int
) -> tuple[ApiToken, str]:
    """A new personal API token; returns it and its value, which is never shown again."""
    value, prefix, digest = tokens.new_token_value()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=digest,
            scopes=scopes,
            expires_at=tokens.expiry(days),
        )
        audit.record(
            "accounts.token_created",
            actor=user,
            target=token,
            request=request,
            data={"scopes": scopes, "expires_at": token.expires_at.isoformat()},
        )
    return token, value


def revoke_api_token(request: HttpRequest, user: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record("accounts.token_revoked", actor=user, target=token, request=request)


def revoke_api_tokens(user: User, reason: str) -> int:
    """Revoke every API token of the account still in use; how many. Called when its password
    changes and when it is deactivated (signals.py): reactivating it brings none back."""
    with transaction.atomic():
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        ids = [str(pk) for pk in live.values_list("pk", flat=True)]
        if ids:
            live.update(revoked_at=timezone.now())
            audit.record(
                "accounts.tokens_revoked", target=user, data={"reason": reason, "tokens": ids}
            )
    return len(ids)


def set_active(request: HttpRequest | None, actor: User | None, user: User, active: bool) -> None:
    """Deactivate (ends every session and revokes every API token) or reactivate an account,
    audited; a reactivated account gets no token back."""
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.inactivity_warned_at = None
        user.save(update_fields=["is_active", "inactivity_warned_at"])
        audit.record(
            "accounts.reactivated" if active else "accounts.deactivated",
            actor=actor,
            target=user,
            request=request,
            actor_label="" if actor else "inactivity policy",
        )


EMAIL_CONFIRMATION_SALT = "accounts.email_confirmation"
EMAIL_CONFIRMATION_DAYS = 7


def email_changed_by_operator(
    request: HttpRequest | None, actor: User, user: User, previous: str
) -> None:
    """An operator (SCIM, admin) gave the account another address: until the person confirms
    it, password resets do not go there (ResetRequestForm), so whoever chose the address cannot
    take the account over by asking for a reset."""
    with transaction.atomic():
        user.email_verified = False
        user.save(update_fields=["email_verified"])
        audit.record(
            "accounts.email_changed",
            actor=actor,
            target=user,
            request=request,
            data={"previous": previous, "email": user.email},
        )
        transaction.on_commit(lambda: send_email_confirmation(user))


def email_confirmation_link(user: User) -> str:
    token = signing.dumps({"user": str(user.pk), "email": user.email}, salt=EMAIL_CONFIRMATION_SALT)
    return settings.SITE_URL + reverse("accounts:email_confirm", args=[token])


def send_email_confirmation(user: User) -> None:
    """E-mail the new address a link that confirms it once opened by the signed-in person."""
    from ensemble.accounts.guests import email_person

    email_person(
        user.email,
        "email_confirmation",
        {"link": email_confirmation_link(user), "days": EMAIL_CONFIRMATION_DAYS},
    )


def confirm_email(request: HttpRequest, user: User, token: str) -> None:
    """The signed-in person opened the link sent to their address: it is confirmed. The link
    works for that account and that address only (signed; valid EMAIL_CONFIRMATION_DAYS)."""
    try:
        claims = signing.loads(
            token,
            salt=EMAIL_CONFIRMATION_SALT,
            max_age=timedelta(days=EMAIL_CONFIRMATION_DAYS),
        )
    except signing.BadSignature as error:  # SignatureExpired is one
        raise ActionRefused(_("This confirmation link is not valid or has expired.")) from error
    if claims != {"user": str(user.pk), "email": user.email}:
        raise ActionRefused(_("This confirmation link is for another account or another address."))
    if user.email_verified:
        return
    with transaction.atomic():
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit.record("accounts.email_confirmed", actor=user, target=user, request=request)
