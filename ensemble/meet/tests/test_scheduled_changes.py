"""Changing and cancelling a scheduled meeting: invitees' calendars follow by e-mail, sent
through a real SMTP server (the ``inbox`` fixture), with the same event (UID) one SEQUENCE
higher: an updated invitation (METHOD:REQUEST) or a cancellation (METHOD:CANCEL); and who may
do either."""

from __future__ import annotations

import email.header
import email.message
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.models import AuditEntry
from ensemble.core.tests.mailbox import Inbox
from ensemble.meet.guests import cookie_name
from ensemble.meet.models import Access, Meeting, MeetRole, ParticipantState
from ensemble.meet.tests.factories import (
    GuestFactory,
    InvitationFactory,
    ParticipantFactory,
    ScheduledMeetingFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/meet/meetings/"


def to(inbox: Inbox, address: str) -> list[email.message.Message]:
    return [message for message in inbox.messages if message["To"] == address]


def subject(message: email.message.Message) -> str:
    """The subject as a person reads it (decoded from its encoded words, unfolded)."""
    return str(email.header.make_header(email.header.decode_header(message["Subject"]))).strip()


def attachment(message: email.message.Message, content_type: str) -> tuple[Any, str]:
    """The first part of ``message`` of this type (its parameters: ``part.get_param``), and
    its text."""
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return part, payload.decode()
    raise AssertionError(f"no {content_type} part in {subject(message)!r}")


def event_in(message: Any, method: str) -> Any:
    """The VEVENT of the message's .ics, parsed by icalendar, whose METHOD must be ``method``
    (in the calendar and in the part's Content-Type, as mail clients read it)."""
    part, text = attachment(message, "text/calendar")
    assert part.get_param("method") == method
    calendar = Calendar.from_ical(text)
    assert str(calendar["method"]) == method
    (event,) = calendar.walk("VEVENT")
    return event


def scheduled(client: Any, capture: Any, invitees: list[str]) -> str:
    start = timezone.now() + timedelta(days=2)
    data = {
        "title": "Comité de pilotage",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "invitees": invitees,
    }
    with capture(execute=True):
        answer = client.post(API, data, "application/json")
    assert answer.status_code == 201, answer.content
    return str(answer.json()["code"])


def test_a_change_sends_the_same_event_one_sequence_higher(
    client_of: Any, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = client_of(UserFactory(full_name="Claire Dupont"))
    code = scheduled(organiser, django_capture_on_commit_callbacks, ["a@lyon.fr", "b@lyon.fr"])
    first = event_in(to(inbox, "a@lyon.fr")[0], "REQUEST")
    assert first["sequence"] == 0
    inbox.messages.clear()
    later = timezone.now().replace(microsecond=0) + timedelta(days=3)
    change = {
        "title": "Comité de pilotage (reporté)",
        "starts_at": later.isoformat(),
        "ends_at": (later + timedelta(minutes=90)).isoformat(),
        "invitees": ["A@lyon.fr", "c@lyon.fr"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = organiser.patch(f"{API}{code}/", change, "application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["title"] == "Comité de pilotage (reporté)"
    assert sorted(m["To"] for m in inbox.messages) == ["a@lyon.fr", "b@lyon.fr", "c@lyon.fr"]
    # kept: the updated invitation, same UID, next SEQUENCE, the new times
    (kept,) = to(inbox, "a@lyon.fr")
    assert subject(kept) == "Updated invitation: Comité de pilotage (reporté)"
    updated = event_in(kept, "REQUEST")
    assert str(updated["uid"]) == str(first["uid"])
    assert updated["sequence"] == 1
    assert updated["dtstart"].dt == later
    assert updated["dtend"].dt == later + timedelta(minutes=90)
    assert str(updated["summary"]) == "Comité de pilotage (reporté)"
    assert str(updated["status"]) == "CONFIRMED"
    # taken off the list: a cancellation of that same event, for them alone
    (dropped,) = to(inbox, "b@lyon.fr")
    assert subject(dropped) == "No longer invited: Comité de pilotage (reporté)"
    cancelled = event_in(dropped, "CANCEL")
    assert str(cancelled["uid"]) == str(first["uid"]) and cancelled["sequence"] == 1
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["attendee"]) == "mailto:b@lyon.fr"
    # added: the invitation, already at the current SEQUENCE
    (added,) = to(inbox, "c@lyon.fr")
    assert subject(added) == "Invitation: Comité de pilotage (reporté)"
    assert event_in(added, "REQUEST")["sequence"] == 1
    meeting = Meeting.objects.get(code=code)
    assert sorted(meeting.invitations.values_list("email", flat=True)) == [
        "a@lyon.fr",
        "c@lyon.fr",
    ]
    assert AuditEntry.objects.filter(action="meet.meeting_changed").count() == 1


def test_a_change_that_is_not_in_the_calendar_sends_nothing(
    client_of: Any, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = client_of(UserFactory())
    code = scheduled(organiser, django_capture_on_commit_callbacks, ["a@lyon.fr"])
    inbox.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = organiser.patch(f"{API}{code}/", {"lobby": False}, "application/json")
    assert answer.status_code == 200 and answer.json()["lobby"] is False
    assert inbox.messages == []
    assert Meeting.objects.get(code=code).sequence == 0


def test_cancelling_tells_every_invitee_and_ends_the_meeting(
    client_of: Any, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = client_of(UserFactory())
    code = scheduled(organiser, django_capture_on_commit_callbacks, ["a@lyon.fr", "b@lyon.fr"])
    uid = str(event_in(to(inbox, "a@lyon.fr")[0], "REQUEST")["uid"])
    inbox.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = organiser.post(f"{API}{code}/cancel/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["ended_at"] is not None
    assert sorted(m["To"] for m in inbox.messages) == ["a@lyon.fr", "b@lyon.fr"]
    for message in inbox.messages:
        assert subject(message) == "Cancelled: Comité de pilotage"
        event = event_in(message, "CANCEL")
        assert str(event["uid"]) == uid and event["sequence"] == 1
        assert str(event["status"]) == "CANCELLED"
    meeting = Meeting.objects.get(code=code)
    assert meeting.cancelled_at is not None and meeting.ended_at is not None
    invited = client_of(UserFactory(email="a@lyon.fr"))
    joining = invited.post(f"{API}{code}/join/", {}, "application/json")
    assert joining.status_code == 403
    assert joining.json()["detail"] == "This meeting has ended."
    again = organiser.post(f"{API}{code}/cancel/")
    assert again.status_code == 403 and again.json()["detail"] == "This meeting has ended."
    assert organiser.patch(f"{API}{code}/", {"title": "x"}, "application/json").status_code == 403


def test_a_meeting_under_way_is_ended_not_cancelled(client_of: Any) -> None:
    meeting = ScheduledMeetingFactory()
    ParticipantFactory(meeting=meeting, state=ParticipantState.ADMITTED)
    answer = client_of(meeting.organiser).post(f"{API}{meeting.code}/cancel/")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "This meeting is under way: end it for everyone instead."
    meeting.refresh_from_db()
    assert meeting.ended_at is None


def test_bad_changes_are_refused_clearly_and_change_nothing(client_of: Any) -> None:
    meeting = ScheduledMeetingFactory(title="Bureau")
    client = client_of(meeting.organiser)
    url = f"{API}{meeting.code}/"
    backwards = client.patch(
        url, {"ends_at": (meeting.starts_at - timedelta(hours=1)).isoformat()}, "application/json"
    )
    assert backwards.status_code == 400
    assert backwards.json()["detail"] == "A meeting must end after it starts."
    half = client.patch(url, {"ends_at": None}, "application/json")
    assert half.status_code == 400
    assert half.json()["detail"] == "A scheduled meeting needs both a start and an end."
    assert client.patch(url, {"title": " \r\n "}, "application/json").status_code == 400
    assert (
        client.patch(url, {"invitees": ["not an address"]}, "application/json").status_code == 400
    )
    assert client.patch(url, {"access": "everyone"}, "application/json").status_code == 400
    assert client.patch(url, {"starts_at": "tomorrow"}, "application/json").status_code == 400
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.title, fresh.starts_at, fresh.ends_at) == (
        "Bureau",
        meeting.starts_at,
        meeting.ends_at,
    )


def person(kind: str, meeting: Meeting) -> Client:
    """A browser of one kind of person, for this meeting."""
    client = Client()
    user = None
    if kind == "organiser":
        user = meeting.organiser
    elif kind in ("moderator", "participant", "removed moderator"):
        role = MeetRole.PARTICIPANT if kind == "participant" else MeetRole.MODERATOR
        state = ParticipantState.REMOVED if kind == "removed moderator" else ParticipantState.LEFT
        user = ParticipantFactory(meeting=meeting, role=role, state=state).user
    elif kind == "invitee":
        user = UserFactory(email="invite@lyon.fr", email_verified=True)
        InvitationFactory(meeting=meeting, email=user.email)
    elif kind == "non-member":
        user = UserFactory(organisation=meeting.organiser.organisation)
    elif kind == "other organisation":
        user = UserFactory(organisation=OrganisationFactory())
    elif kind == "external":
        user = UserFactory(organisation=None, is_external=True)
    elif kind == "operator":
        user = UserFactory(organisation=meeting.organiser.organisation, is_staff=True)
    elif kind == "guest":
        client.cookies[cookie_name(meeting.code)] = GuestFactory(meeting=meeting).guest_key
    if user is not None:
        client.force_login(user)
    return client


MAY_EDIT = {"organiser", "moderator"}


@pytest.mark.parametrize(
    "kind",
    [
        "organiser",
        "moderator",
        "participant",
        "removed moderator",
        "invitee",
        "non-member",
        "other organisation",
        "external",
        "operator",
        "guest",
        "anonymous",
    ],
)
def test_who_may_change_and_cancel_a_meeting(kind: str) -> None:
    meeting = ScheduledMeetingFactory(title="Bureau", access=Access.PUBLIC)
    client = person(kind, meeting)
    changed = client.patch(f"{API}{meeting.code}/", {"title": "Autre"}, "application/json")
    cancelled = client.post(f"{API}{meeting.code}/cancel/")
    meeting.refresh_from_db()
    if kind in MAY_EDIT:
        assert (changed.status_code, cancelled.status_code) == (200, 200)
        assert meeting.title == "Autre" and meeting.cancelled_at is not None
    else:
        assert (changed.status_code, cancelled.status_code) == (403, 403)
        assert changed.json()["detail"] == "Only the meeting's organiser and hosts can change it."
        assert meeting.title == "Bureau" and meeting.cancelled_at is None
