"""iCalendar (RFC 5545) invitations for scheduled meetings, written by hand: one VEVENT."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    out.append(current)
    return "\r\n".join(out)


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(meeting: Any, method: str = "REQUEST") -> str:
    """The invitation to ``meeting`` (REQUEST), or its cancellation (CANCEL)."""
    link = meeting.link
    organiser = meeting.organiser
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ensemble//Meet//FR",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{meeting.code}@{settings.SITE_URL.split('://', 1)[-1]}",
        f"DTSTAMP:{_time(datetime.now(UTC))}",
        f"DTSTART:{_time(meeting.starts_at)}",
        f"DTEND:{_time(meeting.ends_at)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(f'{meeting.title}: {link} (code {meeting.code})')}",
        f"LOCATION:{_escape(link)}",
        f"URL:{link}",
        "STATUS:CANCELLED" if method == "CANCEL" else "STATUS:CONFIRMED",
    ]
    if organiser is not None:
        lines.append(f"ORGANIZER;CN={_escape(str(organiser))}:mailto:{organiser.email}")
    for invited in meeting.invitations.all():
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{invited.email}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
