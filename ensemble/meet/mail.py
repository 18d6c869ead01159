"""E-mails of Meet: the invitation (with its .ics), its update and its cancellation (the same
event, ``SEQUENCE`` one higher each time), and the reminder before a meeting."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from ensemble.core.text import one_line
from ensemble.meet.ics import invitation


def _send(kind: str, meeting: Any, emails: list[str], method: str | None) -> None:
    """One e-mail per address; with ``method`` (REQUEST, CANCEL) the .ics of that method."""
    context = {"meeting": meeting, "organiser": meeting.organiser, "link": meeting.link}
    # One line: a line break in a header makes Django refuse the whole message.
    subject = one_line(render_to_string(f"meet/{kind}_subject.txt", context))
    body = render_to_string(f"meet/{kind}_email.txt", context)
    for email in emails:
        message = EmailMessage(subject, body, to=[email])
        if method is not None:
            # A cancellation names whom it cancels for: an invitee taken off the list is told
            # alone, and the others' calendars keep the meeting.
            ics = invitation(meeting, method, [email] if method == "CANCEL" else None)
            message.attach("invitation.ics", ics, f"text/calendar; method={method}")
        message.send()


def send_invitations(meeting: Any, emails: list[str]) -> None:
    _send("invitation", meeting, emails, "REQUEST" if meeting.starts_at is not None else None)


def send_updates(meeting: Any, emails: list[str]) -> None:
    """The meeting changed (title, times): its invitees' calendars follow."""
    _send("update", meeting, emails, "REQUEST" if meeting.starts_at is not None else None)


def send_cancellations(meeting: Any, emails: list[str], uninvited: bool = False) -> None:
    """The meeting is cancelled, or (``uninvited``) these people are no longer invited."""
    kind = "uninvited" if uninvited else "cancellation"
    _send(kind, meeting, emails, "CANCEL" if meeting.starts_at is not None else None)


def send_reminders(meeting: Any, emails: list[str]) -> None:
    _send("reminder", meeting, emails, None)
