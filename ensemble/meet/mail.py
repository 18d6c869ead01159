"""E-mails of Meet: the invitation (with its .ics) and the reminder before a meeting."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from ensemble.core.text import one_line
from ensemble.meet.ics import invitation


def _send(kind: str, meeting: Any, emails: list[str], calendar: bool) -> None:
    context = {"meeting": meeting, "organiser": meeting.organiser, "link": meeting.link}
    # One line: a line break in a header makes Django refuse the whole message.
    subject = one_line(render_to_string(f"meet/{kind}_subject.txt", context))
    body = render_to_string(f"meet/{kind}_email.txt", context)
    for email in emails:
        message = EmailMessage(subject, body, to=[email])
        if calendar:
            message.attach("invitation.ics", invitation(meeting), "text/calendar; method=REQUEST")
        message.send()


def send_invitations(meeting: Any, emails: list[str]) -> None:
    _send("invitation", meeting, emails, calendar=meeting.starts_at is not None)


def send_reminders(meeting: Any, emails: list[str]) -> None:
    _send("reminder", meeting, emails, calendar=False)
