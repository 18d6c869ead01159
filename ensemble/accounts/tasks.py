"""Account lifecycle: warn inactive people, then deactivate their accounts (Tchap's policy)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ensemble.accounts import actions
from ensemble.accounts.models import User
from ensemble.core.schedule import every
from ensemble.core.tasks import background_task


def deactivation_date(user: User) -> datetime:
    idle_since = user.last_login or user.date_joined
    return idle_since + timedelta(days=settings.ACCOUNT_INACTIVITY_DAYS)


def warning_due(user: User, now: datetime) -> bool:
    """Whether a warning threshold was crossed since the last warning."""
    ends = deactivation_date(user)
    crossed = [ends - timedelta(days=days) for days in settings.ACCOUNT_INACTIVITY_WARNING_DAYS]
    latest = max((moment for moment in crossed if moment <= now), default=None)
    return latest is not None and (
        user.inactivity_warned_at is None or user.inactivity_warned_at < latest
    )


def warn(user: User, ends: datetime) -> None:
    with translation.override(user.language):
        context = {"user": user, "ends": ends, "site_url": settings.SITE_URL}
        send_mail(
            render_to_string("accounts/inactivity_warning_subject.txt", context).strip(),
            render_to_string("accounts/inactivity_warning_email.txt", context),
            None,
            [user.email],
        )


@every(timedelta(hours=6))
@background_task
def apply_inactivity_policy() -> dict[str, int]:
    """Warn accounts nearing deactivation; deactivate those idle for too long. Operators are
    left out (an install must never lose its last administrator to this policy)."""
    now = timezone.now()
    horizon = now + timedelta(days=max(settings.ACCOUNT_INACTIVITY_WARNING_DAYS, default=0))
    idle_before = horizon - timedelta(days=settings.ACCOUNT_INACTIVITY_DAYS)
    candidates = User.objects.annotate(idle_since=Coalesce(F("last_login"), F("date_joined")))
    candidates = candidates.filter(is_active=True, is_staff=False, idle_since__lte=idle_before)
    warned = deactivated = 0
    for user in candidates.iterator():
        ends = deactivation_date(user)
        if ends <= now:
            actions.set_active(None, None, user, False)
            deactivated += 1
        elif warning_due(user, now):
            warn(user, ends)
            User.objects.filter(pk=user.pk).update(inactivity_warned_at=now)
            warned += 1
    return {"warned": warned, "deactivated": deactivated}
