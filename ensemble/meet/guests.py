"""How a meeting's guest (someone without an account) proves who they are: the key their join
gave, kept in an HttpOnly cookie of that meeting, never in an address (addresses end up in
proxy and server logs, and in the browser's history)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from ensemble.meet.models import Meeting

COOKIE_AGE = 24 * 3600  # a day of meetings; the meeting's end makes the key useless anyway


def cookie_name(code: str) -> str:
    return f"meet_guest_{code}"


def guest_key(request: HttpRequest, code: str) -> str:
    """The key of the guest calling about meeting ``code`` ("" when none)."""
    return request.COOKIES.get(cookie_name(code), "")


def remember_guest(response: HttpResponseBase, code: str, key: str) -> None:
    """Give the browser its guest key: sent back on the suite's requests only, unreadable by
    scripts, never on another site's requests (SameSite=Lax), only over https on https."""
    response.set_cookie(
        cookie_name(code),
        key,
        max_age=COOKIE_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def exchange_old_key(meeting: Meeting, key: str) -> str:
    """A key given in an older link (``?key=``): a new one for the same guest, so that the
    link, which may sit in logs, works this once only. "" if no guest has it."""
    guest = meeting.participants.filter(guest_key=key, user__isnull=True).first() if key else None
    if guest is None:
        return ""
    guest.guest_key = secrets.token_urlsafe(24)
    guest.save(update_fields=["guest_key", "updated_at"])
    return guest.guest_key
