"""Participant states follow one table (meet/transitions.py): nobody refused or removed gets in
by leaving and joining again, someone who left the waiting room waits again, and only someone
who was in the meeting comes straight back; each move is audited with its event."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry
from ensemble.meet.events import stream_of
from ensemble.meet.models import Meeting, Participant
from ensemble.meet.tests.test_meetings import API, create, join
from ensemble.meet.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db


class Person:
    """Someone joining a meeting: with an account, or as a guest (known by their key: given
    in the join answer and sent back as ?key=, or kept in the meeting's cookie)."""

    def __init__(self, client_of: Any, guest: bool) -> None:
        self.guest = guest
        self.client = Client() if guest else client_of(UserFactory())
        self.joined = False
        self.key = ""

    def query(self) -> str:
        return f"?key={self.key}" if self.key else ""

    def join(self, code: str) -> Any:
        if self.guest and self.joined:  # a guest joins again as themselves
            return self.client.post(f"{API}{code}/join/{self.query()}", {}, "application/json")
        answer = join(self.client, code, **({"name": "Invité"} if self.guest else {}))
        if answer.status_code == 200 and self.guest:
            self.joined = True
            self.key = answer.json().get("guest_key", "")
        return answer

    def leave(self, code: str) -> Any:
        return self.client.post(f"{API}{code}/leave/{self.query()}")


def waiting_room(client_of: Any) -> tuple[Client, str]:
    host = client_of(UserFactory())
    code = create(host, access="public", lobby=True)["code"]
    join(host, code)
    return host, code


@pytest.mark.parametrize("guest", [False, True], ids=["user", "guest"])
def test_leaving_the_waiting_room_and_joining_again_waits_again(
    janus: Any, client_of: Any, guest: bool
) -> None:
    _host, code = waiting_room(client_of)
    person = Person(client_of, guest)
    assert person.join(code).json()["state"] == "waiting"
    assert person.leave(code).status_code == 204
    again = person.join(code)
    assert again.status_code == 200
    assert again.json()["state"] == "waiting" and again.json()["media"] is None


@pytest.mark.parametrize("guest", [False, True], ids=["user", "guest"])
def test_someone_refused_asks_again_only_into_the_waiting_room(
    janus: Any, client_of: Any, guest: bool
) -> None:
    host, code = waiting_room(client_of)
    person = Person(client_of, guest)
    them = person.join(code).json()
    assert host.post(f"{API}{code}/participants/{them['id']}/deny/").json()["state"] == "denied"
    left = person.leave(code)
    assert left.status_code == 403
    assert left.json()["detail"] == "You are not in this meeting."
    again = person.join(code)
    assert again.status_code == 200 and again.json()["state"] == "waiting"
    assert again.json()["media"] is None
    # Even without a waiting room now, someone refused waits for a moderator.
    Meeting.objects.filter(code=code).update(lobby=False)
    host.post(f"{API}{code}/participants/{them['id']}/deny/")
    assert person.join(code).json()["state"] == "waiting"


@pytest.mark.parametrize("guest", [False, True], ids=["user", "guest"])
def test_someone_removed_stays_out_even_after_leaving(
    janus: Any, client_of: Any, guest: bool
) -> None:
    host, code = waiting_room(client_of)
    person = Person(client_of, guest)
    them = person.join(code).json()
    host.post(f"{API}{code}/participants/{them['id']}/admit/")
    assert host.post(f"{API}{code}/participants/{them['id']}/remove/").status_code == 200
    assert person.leave(code).status_code == 403
    again = person.join(code)
    assert again.status_code == 403
    assert again.json()["detail"] == "You were removed from this meeting."
    assert Participant.objects.get(pk=them["id"]).state == "removed"
    # Removed while waiting, too.
    other = Person(client_of, guest)
    waiting = other.join(code).json()
    host.post(f"{API}{code}/participants/{waiting['id']}/remove/")
    other.leave(code)
    assert other.join(code).status_code == 403


@pytest.mark.parametrize("guest", [False, True], ids=["user", "guest"])
def test_someone_who_was_in_comes_straight_back(janus: Any, client_of: Any, guest: bool) -> None:
    host, code = waiting_room(client_of)
    person = Person(client_of, guest)
    them = person.join(code).json()
    host.post(f"{API}{code}/participants/{them['id']}/admit/")
    assert person.leave(code).status_code == 204
    back = person.join(code).json()
    assert back["state"] == "admitted" and back["media"]["token"]


def test_each_move_is_audited_with_its_event(janus: Any, client_of: Any) -> None:
    host, code = waiting_room(client_of)
    meeting = Meeting.objects.get(code=code)
    person = Person(client_of, guest=True)
    them = person.join(code).json()
    host.post(f"{API}{code}/participants/{them['id']}/admit/")
    person.leave(code)
    mine = [
        (entry.action, entry.data["from"], entry.data["to"])
        for entry in AuditEntry.objects.filter(action__startswith="meet.participant_").order_by(
            "position"
        )
        if entry.data.get("participant") == them["id"]
    ]
    assert mine == [
        ("meet.participant_joined", "new", "waiting"),
        ("meet.participant_admitted", "waiting", "admitted"),
        ("meet.participant_left", "admitted", "left"),
    ]
    states = [
        event["payload"]["state"]
        for event in events_after(stream_of(meeting), 0, 1000)
        if event["event"] == "meet.participant.changed" and event["payload"]["id"] == them["id"]
    ]
    assert states == ["waiting", "admitted", "left"]


def test_straight_in_is_one_move(janus: Any, client_of: Any) -> None:
    """Someone who need not wait is admitted in one move: moderators and people joining a
    meeting without a waiting room are never shown waiting."""
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    mine = join(host, code).json()
    theirs = join(client_of(UserFactory()), code).json()
    meeting = Meeting.objects.get(code=code)
    # The host's place was made with the meeting (waiting for them); the other is new.
    for them, before in ((mine, "waiting"), (theirs, "new")):
        states = [
            event["payload"]["state"]
            for event in events_after(stream_of(meeting), 0, 1000)
            if event["event"] == "meet.participant.changed" and event["payload"]["id"] == them["id"]
        ]
        assert states == ["admitted"]
        entries = AuditEntry.objects.filter(action__startswith="meet.participant_")
        moves = [
            (e.action, e.data["move"], e.data["from"], e.data["to"])
            for e in entries
            if e.data.get("participant") == them["id"]
        ]
        assert moves == [("meet.participant_admitted", "enter", before, "admitted")]


def test_the_table_lets_nobody_out_of_removed() -> None:
    assert [move for (state, move) in TRANSITIONS if state == "removed"] == []
    assert TRANSITIONS[("denied", "join")] == "waiting"
    assert ("denied", "enter") not in TRANSITIONS  # someone refused never goes straight in
