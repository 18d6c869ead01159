"""External users: invited by e-mail to one resource, signing in with an e-mailed code.

Each kind of resource says how an accepted invitation gives access (``invitable``); teams are
the first, chat rooms and documents will follow.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import (
    Invitation,
    SignInCode,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from ensemble.core import audit, ratelimit
from ensemble.core.tasks import background_task

INVITATION_DAYS = 14
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
Accept = Callable[[Invitation, User], None]
ACCEPTERS: dict[str, Accept] = {}


def invitable(model: type[models.Model], accept: Accept) -> None:
    ACCEPTERS[model._meta.label_lower] = accept


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_person(email: str, template: str, context: dict[str, Any]) -> None:
    subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
    send_mail(subject, render_to_string(f"accounts/{template}_email.txt", context), None, [email])


def invite(
    request: HttpRequest | None, inviter: User, target: models.Model, email: str, role: str
) -> Invitation | None:
    """Give ``email`` access to ``target``: at once for a colleague (an account of the
    inviter's organisation, whom the directory shows anyway), else by an e-mail with a link.

    Returns the invitation sent, or None when a colleague got access directly. Whether some
    other address has an account is never told: it gets an e-mail like any other. Each
    e-mail counts against the inviter's ``invitations`` rate limit (429 beyond it).
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ActionRefused(_("Enter a valid e-mail address.")) from error
    accept = ACCEPTERS[target._meta.label_lower]
    colleagues = User.objects.filter(is_active=True, is_external=False)
    existing = (
        colleagues.filter(email=email, organisation=inviter.organisation).first()
        if inviter.organisation_id
        else None
    )
    if existing is None:  # an e-mail: counted for the inviter and for the address
        ratelimit.check("invitations", f"user:{inviter.pk}")
        ratelimit.check("invitations.recipient", f"email:{email}")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation(
            email=email,
            role=role,
            invited_by=inviter,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
            digest=digest(token),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        if existing is not None:
            accept(invitation, existing)
            audit.record(
                "accounts.access_given",
                actor=inviter,
                target=target,
                request=request,
                data={"member": str(existing.pk), "role": role},
            )
            return None
        invitation.save()
        audit.record(
            "accounts.invited",
            actor=inviter,
            target=target,
            request=request,
            data={"email": email, "role": role},
        )
        # Queued: the worker makes the link and sends it (the request never waits on the
        # mail server, and the link's secret is stored nowhere but in the e-mail).
        transaction.on_commit(lambda: send_invitation.enqueue(str(invitation.pk)))
    return invitation


@background_task
def send_invitation(invitation_id: str) -> None:
    """E-mail an invitation with a link made now (the one made with the invitation was never
    shown): a retry makes a new one, and only the last link sent works."""
    invitation = Invitation.objects.filter(
        pk=invitation_id, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if invitation is None or invitation.invited_by is None:
        return
    token = secrets.token_urlsafe(32)
    invitation.digest = digest(token)
    invitation.save(update_fields=["digest", "updated_at"])
    target = invitation.target_type.get_object_for_this_type(pk=invitation.target_id)
    context = {
        "inviter": invitation.invited_by,
        "target": target,
        "link": f"{settings.SITE_URL}/accounts/invitations/{token}/",
        "days": INVITATION_DAYS,
    }
    with translation.override(invitation.invited_by.reads):
        email_person(invitation.email, "invitation", context)


def find_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.filter(digest=digest(token)).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ActionRefused(_("This invitation is not valid or was already used."))
    if invitation.expires_at <= timezone.now():
        raise ActionRefused(_("This invitation has expired. Ask the person who invited you again."))
    return invitation


def accept(request: HttpRequest, invitation: Invitation) -> User:
    """Accept an invitation: the account (external, if new) gets access to the resource."""
    with transaction.atomic():
        user = User.objects.filter(email=invitation.email).first()
        if user is None:
            user = User.objects.create_user(invitation.email, None, is_external=True)
            audit.record(
                "accounts.user_created",
                target=user,
                request=request,
                actor_label=invitation.email,
                data={"external": True},
            )
        if not user.is_active:
            raise ActionRefused(_("Your account is deactivated. Contact your administrator."))
        ACCEPTERS[invitation.target_type.model_class()._meta.label_lower](invitation, user)  # type: ignore[union-attr]
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at", "updated_at"])
        audit.record(
            "accounts.invitation_accepted",
            actor=user,
            request=request,
            data={"invitation": str(invitation.pk)},
        )
    return user


def send_sign_in_code(email: str) -> None:
    """E-mail a one-time code to an external user (silently nothing for anyone else)."""
    email = email.strip().lower()
    user = User.objects.filter(email=email, is_active=True, is_external=True).first()
    recent = SignInCode.objects.filter(
        email=email, created_at__gte=timezone.now() - timedelta(hours=1)
    )
    if user is None or recent.count() >= CODES_PER_HOUR:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    SignInCode.objects.create(
        email=email,
        digest=digest(code),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    email_person(email, "sign_in_code", {"code": code, "minutes": CODE_MINUTES})


def check_sign_in_code(email: str, code: str) -> User:
    email = email.strip().lower()
    with transaction.atomic():
        latest = (
            SignInCode.objects.select_for_update()
            .filter(email=email, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        right = False
        if latest is not None and latest.attempts < CODE_ATTEMPTS:
            latest.attempts += 1  # counted even when wrong: the transaction commits
            right = hmac.compare_digest(latest.digest, digest("".join(code.split())))
            latest.used_at = timezone.now() if right else None
            latest.save(update_fields=["attempts", "used_at"])
    user = User.objects.filter(email=email, is_active=True, is_external=True).first()
    if not right or user is None:
        raise ActionRefused(
            _("This code is not valid. Check the latest e-mail, or ask for a new code.")
        )
    return user


def join_team(invitation: Invitation, user: User) -> None:
    """An invitation makes someone a member of the team; it never changes the role of
    someone already in it (roles change through set_team_member, which keeps an owner)."""
    team = Team.objects.get(pk=invitation.target_id)
    if not user.is_external and user.organisation_id != team.organisation_id:
        raise ActionRefused(_("This person is not in the team's organisation."))
    # External users are never administrators of anything (Tchap's rule).
    role = TeamRole.MEMBER if user.is_external else invitation.role
    TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": role})


invitable(Team, join_team)
