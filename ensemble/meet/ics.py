"""iCalendar (RFC 5545) invitations for scheduled meetings: one VEVENT, written by the
``icalendar`` library, which escapes texts, quotes parameters ("Dupont, Jean" as a name) and
folds long lines, so that no name or title can break the file or add lines to it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from ensemble.core.text import one_line


def _address(email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    for name, value in params.items():
        address.params[name] = vText(value)
    return address


def invitation(meeting: Any, method: str = "REQUEST", attendees: list[str] | None = None) -> str:
    """The invitation to ``meeting`` (REQUEST), or its cancellation (CANCEL), for its invitees
    or the ``attendees`` given. The event keeps its UID whatever changes; its ``SEQUENCE``
    (``Meeting.sequence``) grows with each change, so calendars replace the older copy."""
    link = meeting.link
    title = one_line(meeting.title)
    calendar = Calendar()
    calendar.add("prodid", "-//Ensemble//Meet//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{meeting.code}@{settings.SITE_URL.split('://', 1)[-1]}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", title)
    event.add("description", f"{title}: {link} (code {meeting.code})")
    event.add("location", link)
    event.add("url", link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organiser = meeting.organiser
    if organiser is not None:
        event.add("organizer", _address(organiser.email, CN=one_line(str(organiser))))
    if attendees is None:
        attendees = [invited.email for invited in meeting.invitations.all()]
    for email in attendees:
        event.add("attendee", _address(email, ROLE="REQ-PARTICIPANT", RSVP="TRUE"))
    calendar.add_component(event)
    return calendar.to_ical().decode()
