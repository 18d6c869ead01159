"""Lock-out after repeated sign-in failures, per account and per IP address."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ensemble.accounts.models import LoginFailure


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def minutes_locked(email: str, ip: str | None) -> int:
    """Minutes until this account or IP may try again; 0 when not locked."""
    since = _window_start()
    recent = LoginFailure.objects.filter(time__gte=since)
    waits = []
    for failures, limit in (
        (recent.filter(email=email.lower()), settings.LOGIN_MAX_FAILURES),
        (recent.filter(ip=ip) if ip else recent.none(), settings.LOGIN_MAX_FAILURES_PER_IP),
    ):
        if failures.count() >= limit:
            # Locked until the limit-th newest failure leaves the window.
            times = list(failures.order_by("-time").values_list("time", flat=True)[:limit])
            remaining = (times[-1] - since).total_seconds()
            waits.append(max(1, math.ceil(remaining / 60)))
    return max(waits, default=0)


def record_failure(email: str, ip: str | None) -> None:
    LoginFailure.objects.create(email=email.lower()[:254], ip=ip)


def clear_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email.lower()).delete()
