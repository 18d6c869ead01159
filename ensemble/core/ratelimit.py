"""Rate limits: how often one account, or one client address, may do something.

Every API request counts, per account (``api``) or, anonymous, per address
(``api.anonymous``): the default throttle class ``ApiRateLimit`` applies to every view. A
view adds stricter limits for its costly or anonymous actions by naming them:
``rate_limits = {"join": "meet.join", "messages:post": "meet.messages"}`` (action, or action
and method, -> scope). Pages and socket commands call
``check(scope, key, …)``. Counters live in the cache (Redis in production, shared by every
process), in fixed windows; beyond a limit the answer is 429 with a message that says how long
to wait.

Limits come from ``RATE_LIMITS`` (defaults in ``core/rates.py``), each overridable in the
environment:
``RATE_LIMITS="meet.join=10/minute,api=600/minute"``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from ensemble.core import counters
from ensemble.core.audit import client_ip
from ensemble.core.rates import Rate
from ensemble.core.refusals import TooFast


def rate_of(scope: str) -> Rate:
    return Rate.parse(settings.RATE_LIMITS[scope])


def wait_message(seconds: int) -> str:
    if seconds >= 120:
        minutes = (seconds + 59) // 60
        return ngettext(
            "Too many requests. Wait %(n)s minute and try again.",
            "Too many requests. Wait %(n)s minutes and try again.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Too many requests. Wait %(n)s second and try again.",
        "Too many requests. Wait %(n)s seconds and try again.",
        seconds,
    ) % {"n": seconds}


class Limited(TooFast):
    """Over a rate limit: how long to wait is in ``wait`` (seconds)."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait_message(wait))
        self.wait = wait


def check(scope: str, *keys: str, cost: int = 1) -> None:
    """Count ``cost`` for each of ``keys`` (an account, an address, an e-mail…) under
    ``scope``; raise ``Limited`` when any of them goes over the scope's limit."""
    rate, names, wait = _window(scope, keys)
    _judge(rate, counters.add_ones(names, rate.seconds + 1, step=cost), wait)


async def check_in_loop(scope: str, *keys: str) -> None:
    """check() from the event loop (the socket), which it does not block."""
    rate, names, wait = _window(scope, keys)
    _judge(rate, await counters.add_ones_in_loop(names, rate.seconds + 1), wait)


def _window(scope: str, keys: tuple[str, ...]) -> tuple[Rate, list[str], int]:
    rate = rate_of(scope)
    now = int(time.time())
    window = now // rate.seconds
    wait = max(1, (window + 1) * rate.seconds - now)
    return rate, [f"rate:{scope}:{key}:{window}" for key in keys], wait


def _judge(rate: Rate, counts: list[int], wait: int) -> None:
    if any(count > rate.count for count in counts):
        raise Limited(wait)


def address_of(request: HttpRequest) -> str:
    return f"ip:{client_ip(request) or '-'}"


def who(request: HttpRequest | Request) -> str:
    """The key of the one who asks: the account, or the client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return address_of(request)


class ApiRateLimit(BaseThrottle):
    """The default throttle of every API view: the overall limit of the account or address,
    and the view's limit for this action if it names one (``rate_limits``)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        signed_in = bool(getattr(request.user, "is_authenticated", False))
        key = who(request)
        method = (request.method or "get").lower()
        action = getattr(view, "action", None) or method
        limits: dict[str, str] = getattr(view, "rate_limits", {})
        named = limits.get(f"{action}:{method}") or limits.get(action)
        try:
            check("api" if signed_in else "api.anonymous", key)
            if named:
                check(named, key)
        except Limited as limited:
            raise RateLimited(limited) from limited
        return True


class RateLimited(exceptions.APIException):
    """429 with our message; DRF adds ``Retry-After`` from ``wait``."""

    status_code = 429

    def __init__(self, limited: Limited) -> None:
        super().__init__(str(limited), "throttled")
        self.wait = limited.wait


View = Callable[..., HttpResponseBase]


def limited_posts(scope: str) -> Callable[[View], View]:
    """Decorate a page: each POST counts against ``scope`` for the client address; beyond
    the limit the page answers 429 with the message, before the view runs (and sends any
    e-mail)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                try:
                    check(scope, address_of(request))
                except Limited as refusal:
                    context = {"message": str(refusal)}
                    response = render(request, "429.html", context, status=429)
                    response["Retry-After"] = str(refusal.wait)
                    return response
            return view(request, *args, **kwargs)

        return limited

    return decorate
