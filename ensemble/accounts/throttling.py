"""Lock-out after repeated sign-in failures, per (account, address) pair and per address.

Failures on an account are counted per client address, not for the account as a whole:
otherwise anyone could lock an account out for its owner at will by failing on purpose. An
address that fails on many accounts is locked for all of them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ensemble.accounts.models import LoginFailure


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _from(failures: QuerySet[LoginFailure], ip: str | None) -> QuerySet[LoginFailure]:
    return failures.filter(ip=ip) if ip else failures.filter(ip__isnull=True)


def minutes_locked(email: str, ip: str | None) -> int:
    """Minutes until this account may be tried again from this address; 0 when not locked."""
    since = _window_start()
    recent = LoginFailure.objects.filter(time__gte=since)
    waits = []
    for failures, limit in (
        (_from(recent.filter(email=email.lower()), ip), settings.LOGIN_MAX_FAILURES),
        (recent.filter(ip=ip) if ip else recent.none(), settings.LOGIN_MAX_FAILURES_PER_IP),
    ):
        # Locked until the limit-th newest failure leaves the window.
        times = list(failures.order_by("-time").values_list("time", flat=True)[:limit])
        if len(times) >= limit:
            remaining = (times[-1] - since).total_seconds()
            waits.append(max(1, math.ceil(remaining / 60)))
    return max(waits, default=0)


def record_failure(email: str, ip: str | None) -> None:
    LoginFailure.objects.create(email=email.lower()[:254], ip=ip)


def clear_failures(email: str, ip: str | None) -> None:
    """After a successful sign-in: the failures of this account from this address."""
    _from(LoginFailure.objects.filter(email=email.lower()), ip).delete()


def clear_all_failures(email: str) -> None:
    """After a password reset: the account's failures from every address."""
    LoginFailure.objects.filter(email=email.lower()).delete()
