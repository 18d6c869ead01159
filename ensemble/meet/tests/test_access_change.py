"""Opening or closing a meeting while it runs (``POST …/access/``, hosts and moderators):
everyone in it is told on the meeting's stream, and people waiting whom the new access keeps
out are refused at once (and told why when they ask again); people already in stay."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry
from ensemble.meet.guests import cookie_name
from ensemble.meet.models import Access, Meeting, ParticipantState
from ensemble.meet.tests.factories import (
    GuestFactory,
    InvitationFactory,
    MeetingFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/meet/meetings/"
WAITING, ADMITTED = ParticipantState.WAITING, ParticipantState.ADMITTED


def running(access: str) -> Meeting:
    """A meeting under way: its host in it."""
    meeting = MeetingFactory(access=access)
    meeting.participants.filter(user=meeting.organiser).update(state=ADMITTED)
    return meeting


def guest_browser(meeting: Meeting, key: str) -> Client:
    browser = Client()
    browser.cookies[cookie_name(meeting.code)] = key
    return browser


def events_of(client: Client, code: str, after: int) -> list[dict[str, Any]]:
    answer = client.get(f"{API}{code}/events/?after={after}")
    assert answer.status_code == 200, answer.content
    return list(answer.json()["events"])


def test_closing_to_guests_tells_everyone_and_refuses_the_guests_waiting(client_of: Any) -> None:
    meeting = running(Access.PUBLIC)
    host = client_of(meeting.organiser)
    guest_in = GuestFactory(meeting=meeting, state=ADMITTED)
    guest_waiting = GuestFactory(meeting=meeting, state=WAITING)
    agent_waiting = ParticipantFactory(meeting=meeting, state=WAITING)
    seq = events_of(guest_browser(meeting, guest_in.guest_key), meeting.code, 0)
    after = seq[-1]["seq"] if seq else 0

    answer = host.post(f"{API}{meeting.code}/access/", {"access": "signed_in"}, "application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["access"] == "signed_in"

    # The guest already in stays, and reads on the stream what changed (as every page does).
    told = events_of(guest_browser(meeting, guest_in.guest_key), meeting.code, after)
    changes = [(e["event"], e["payload"].get("state") or e["payload"].get("access")) for e in told]
    assert changes == [
        ("meet.participant.changed", "denied"),
        ("meet.meeting.updated", "signed_in"),
    ]
    assert told[0]["payload"]["id"] == str(guest_waiting.pk)
    states = dict(meeting.participants.values_list("pk", "state"))
    assert states[guest_in.pk] == ADMITTED
    assert states[guest_waiting.pk] == ParticipantState.DENIED
    assert states[agent_waiting.pk] == WAITING  # signed in: still welcome
    # The guest refused learns why on asking again; a new guest cannot join or see it.
    again = guest_browser(meeting, guest_waiting.guest_key).post(
        f"{API}{meeting.code}/join/", {}, "application/json"
    )
    assert again.status_code == 403
    assert again.json()["detail"] == "Sign in to join this meeting."
    new = Client().post(f"{API}{meeting.code}/join/", {"name": "Paul"}, "application/json")
    assert new.status_code == 403
    entry = AuditEntry.objects.get(action="meet.access_changed")
    assert entry.data == {"access": "signed_in"}


def test_invited_only_refuses_those_waiting_without_an_invitation(client_of: Any) -> None:
    meeting = running(Access.SIGNED_IN)
    invited = ParticipantFactory(meeting=meeting, state=WAITING)
    InvitationFactory(meeting=meeting, email=invited.user.email)
    uninvited = ParticipantFactory(meeting=meeting, state=WAITING)
    host = client_of(meeting.organiser)
    answer = host.post(f"{API}{meeting.code}/access/", {"access": "invited"}, "application/json")
    assert answer.status_code == 200
    invited.refresh_from_db()
    uninvited.refresh_from_db()
    assert (invited.state, uninvited.state) == (WAITING, ParticipantState.DENIED)
    asked = client_of(uninvited.user).post(f"{API}{meeting.code}/join/", {}, "application/json")
    assert asked.status_code == 403
    assert asked.json()["detail"] == "This meeting is for invited people only."


def test_opening_to_guests_lets_a_guest_ask_to_join(client_of: Any) -> None:
    meeting = running(Access.SIGNED_IN)
    assert Client().get(f"{API}{meeting.code}/").status_code == 401
    host = client_of(meeting.organiser)
    answer = host.post(f"{API}{meeting.code}/access/", {"access": "public"}, "application/json")
    assert answer.status_code == 200
    asked = Client().post(f"{API}{meeting.code}/join/", {"name": "Paul"}, "application/json")
    assert asked.status_code == 200 and asked.json()["state"] == "waiting"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("host", 200), ("moderator", 200), ("participant", 403), ("waiting", 403)],
)
def test_only_hosts_and_moderators_in_the_meeting_change_the_access(
    client_of: Any, kind: str, expected: int
) -> None:
    meeting = running(Access.SIGNED_IN)
    if kind == "host":
        user = meeting.organiser
    else:
        role = "moderator" if kind == "moderator" else "participant"
        state = WAITING if kind == "waiting" else ADMITTED
        user = ParticipantFactory(meeting=meeting, role=role, state=state).user
    answer = client_of(user).post(
        f"{API}{meeting.code}/access/", {"access": "public"}, "application/json"
    )
    assert answer.status_code == expected
    meeting.refresh_from_db()
    assert meeting.access == ("public" if expected == 200 else "signed_in")


def test_a_bad_access_is_refused_clearly(client_of: Any) -> None:
    meeting = running(Access.SIGNED_IN)
    answer = client_of(meeting.organiser).post(
        f"{API}{meeting.code}/access/", {"access": "everyone"}, "application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["access"] == ['"everyone" is not a valid choice.']
    assert client_of(UserFactory()).post(f"{API}{meeting.code}/access/").status_code == 403
