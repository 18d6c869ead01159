"""Breakout rooms, against a real Janus: hosts split the meeting by hand or at random, each
token opens its own room only, a timer or "bring everyone back" closes them (the Janus rooms
destroyed), a message reaches every room; everyone else is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.chat.models import Message
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry
from ensemble.meet import breakout
from ensemble.meet.events import stream_of
from ensemble.meet.janus import JanusServer
from ensemble.meet.models import Meeting
from ensemble.meet.tests.conftest import AsBrowser
from ensemble.meet.tests.test_janus_rooms import UNAUTHORIZED
from ensemble.meet.tests.test_room_api import API, JSON

pytestmark = pytest.mark.django_db


class Party:
    """A public meeting without a waiting room: its host, three agents and a guest in it."""

    def __init__(self, client_of: Any) -> None:
        self.home = OrganisationFactory()
        self.host = client_of(UserFactory(organisation=self.home))
        created = self.host.post(
            API, {"title": "Séminaire", "access": "public", "lobby": False}, JSON
        ).json()
        self.code = created["code"]
        self.url = f"{API}{self.code}/breakout/"
        self.host_me = self.host.post(f"{API}{self.code}/join/", {}, JSON).json()
        self.agents: list[tuple[Client, dict[str, Any]]] = []
        for _ in range(3):
            client = client_of(UserFactory(organisation=self.home))
            self.agents.append((client, client.post(f"{API}{self.code}/join/", {}, JSON).json()))
        self.guest = Client()
        self.guest_me = self.guest.post(f"{API}{self.code}/join/", {"name": "Élise"}, JSON).json()

    @property
    def meeting(self) -> Meeting:
        return Meeting.objects.get(code=self.code)

    def ids(self, *indexes: int) -> list[str]:
        return [self.agents[i][1]["id"] for i in indexes]

    def open(self, body: dict[str, Any], client: Client | None = None) -> Any:
        return (client or self.host).post(self.url, body, JSON)


def events(meeting: Meeting, name: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in events_after(stream_of(meeting), 0) if e["event"] == name]


def exists(room: int) -> bool:
    return JanusServer.pool()[0].room_exists(room)


def test_rooms_by_hand_each_token_opens_its_own_room_only(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    body = {
        "rooms": [party.ids(0, 1), [*party.ids(2), party.guest_me["id"]]],
        "names": ["Budget", ""],
    }
    answer = party.open(body)
    assert answer.status_code == 201, answer.content
    state = answer.json()
    assert state["open"] is True and state["ends_at"] is None
    assert [r["name"] for r in state["rooms"]] == ["Budget", "Room 2"]
    first, second = state["rooms"]
    assert first["participants"] == party.ids(0, 1)
    assert second["participants"] == [*party.ids(2), party.guest_me["id"]]
    # Everyone in the meeting is told, guests too (they read the same stream).
    told = party.guest.get(f"{API}{party.code}/events/?after=0").json()["events"]
    changed = [e["payload"] for e in told if e["event"] == "meet.breakout.changed"]
    assert changed[-1]["rooms"][1]["janus_room"] == second["janus_room"]
    assert party.guest.get(party.url).json() == state
    # Janus: a token opens the room it was placed in, not the other one; the host's both.
    media = party.agents[0][1]["media"]
    assert (
        AsBrowser(janus, media["token"]).join_answer(media, room=first["janus_room"])["videoroom"]
        == "joined"
    )
    refused = AsBrowser(janus, media["token"]).join_answer(media, room=second["janus_room"])
    assert refused["error_code"] == UNAUTHORIZED
    guest = party.guest_me["media"]
    assert (
        AsBrowser(janus, guest["token"]).join_answer(guest, room=second["janus_room"])["videoroom"]
        == "joined"
    )
    host = party.host_me["media"]
    for room in (first, second):
        answer = AsBrowser(janus, host["token"]).join_answer(host, room=room["janus_room"])
        assert answer["videoroom"] == "joined"
    assert AuditEntry.objects.filter(action="meet.breakout_opened").count() == 1
    # A second opening while open: 409.
    assert party.open({"count": 2}).status_code == 409


def test_bring_everyone_back_destroys_the_rooms(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    rooms = party.open({"count": 2}).json()["rooms"]
    assert all(exists(room["janus_room"]) for room in rooms)
    answer = party.host.post(f"{party.url}close/", {}, JSON)
    assert answer.status_code == 200
    assert answer.json() == {"open": False, "ends_at": None, "rooms": []}
    assert not any(exists(room["janus_room"]) for room in rooms)
    assert events(party.meeting, "meet.breakout.changed")[-1]["open"] is False
    assert party.host.post(f"{party.url}close/", {}, JSON).status_code == 409
    # and they may be opened again
    assert party.open({"count": 1}).status_code == 201


def test_at_random_everyone_who_does_not_moderate_is_placed(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    rooms = party.open({"count": 2, "minutes": 10}).json()["rooms"]
    placed = sorted(p for room in rooms for p in room["participants"])
    assert placed == sorted([*party.ids(0, 1, 2), party.guest_me["id"]])  # not the host
    assert sorted(len(room["participants"]) for room in rooms) == [2, 2]


def test_the_timer_brings_everyone_back(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    state = party.open({"count": 2, "minutes": 5}).json()
    assert state["ends_at"] is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert party.agents[0][0].get(party.url).json()["open"] is True
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        assert party.agents[0][0].get(party.url).json()["open"] is False
    assert not any(exists(room["janus_room"]) for room in state["rooms"])
    closed = AuditEntry.objects.get(action="meet.breakout_closed")
    assert closed.actor is None and closed.data == {"timer": True}
    # the minute's job closes those nobody reads
    party.open({"count": 1, "minutes": 1})
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert breakout.close_expired() == 1
    assert events(party.meeting, "meet.breakout.changed")[-1]["open"] is False


def test_a_message_reaches_every_room_and_the_chat(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    url = f"{party.url}broadcast/"
    assert party.host.post(url, {"text": "Cinq minutes"}, JSON).status_code == 409  # none open
    party.open({"count": 2})
    assert party.host.post(url, {"text": "  "}, JSON).status_code == 400
    assert party.host.post(url, {"text": "x" * 501}, JSON).status_code == 400
    assert party.host.post(url, {"text": "Cinq minutes"}, JSON).status_code == 204
    sent = events(party.meeting, "meet.breakout.message")
    assert [(m["text"], m["by"]) for m in sent] == [("Cinq minutes", party.host_me["display_name"])]
    assert Message.objects.filter(room=party.meeting.chat_room, body="📣 Cinq minutes").exists()


def test_bad_plans_are_refused_with_a_reason(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    cases = {
        "both": ({"rooms": [party.ids(0)], "count": 2}, "either the rooms"),
        "neither": ({}, "either the rooms"),
        "twice": ({"rooms": [party.ids(0), party.ids(0)]}, "two rooms"),
        "unknown": ({"rooms": [["00000000-0000-0000-0000-000000000000"]]}, "in the meeting"),
        "empty": ({"rooms": [[], []]}, "at least one"),
        "no rooms": ({"rooms": []}, "from 1 to 50"),
        "too many": ({"count": 51}, "50"),
        "minutes": ({"count": 2, "minutes": 0}, "1"),
        "not a list": ({"rooms": "a"}, ""),
    }
    for name, (body, says) in cases.items():
        answer = party.open(body)
        assert answer.status_code == 400, (name, answer.content)
        assert says.lower() in answer.content.decode().lower(), (name, answer.content)
    assert not party.meeting.breakouts.exists()


def test_refusals_are_in_the_readers_language(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    french = client_of(UserFactory(organisation=party.home, language="fr"))
    french.post(f"{API}{party.code}/join/", {}, JSON)
    party.host.post(
        f"{API}{party.code}/participants/{party.meeting.participants.get(user__language='fr').pk}"
        "/role/",
        {"role": "moderator"},
        JSON,
    )
    answer = french.post(f"{party.url}close/", {}, JSON)
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Aucune salle de sous-groupe n\u2019est ouverte."
    answer = french.post(party.url, {"rooms": [party.ids(0), party.ids(0)]}, JSON)
    assert answer.json()["detail"] == "Une même personne a été placée dans deux salles."


def test_who_may_and_who_may_not(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    member = party.agents[0][0]
    non_participant = client_of(UserFactory(organisation=party.home))
    elsewhere = client_of(UserFactory(organisation=OrganisationFactory()))
    anonymous = Client()
    post = {"count": 2}
    # Reading: people in the meeting (guests too); nobody else.
    assert member.get(party.url).status_code == 200
    assert party.guest.get(party.url).status_code == 200
    for outsider in (non_participant, elsewhere, anonymous):
        assert outsider.get(party.url).status_code == 404
    assert Client().get(f"{API}aaa-aaaa-aaa/breakout/").status_code == 404
    # Opening, messages, closing: hosts and moderators only.
    for client, expected in (
        (member, 403),
        (party.guest, 403),
        (non_participant, 403),
        (elsewhere, 403),
        (anonymous, 403),
    ):
        assert party.open(post, client).status_code == expected
        assert client.post(f"{party.url}broadcast/", {"text": "x"}, JSON).status_code == expected
        assert client.post(f"{party.url}close/", {}, JSON).status_code == expected
    assert not party.meeting.breakouts.exists()
    assert AuditEntry.objects.filter(action="meet.moderation_refused").count() == 15
    # A moderator may.
    party.host.post(
        f"{API}{party.code}/participants/{party.ids(1)[0]}/role/", {"role": "moderator"}, JSON
    )
    moderator = party.agents[1][0]
    assert party.open(post, moderator).status_code == 201
    assert moderator.post(f"{party.url}close/", {}, JSON).status_code == 200
    # Someone removed loses it all.
    party.host.post(f"{API}{party.code}/participants/{party.ids(0)[0]}/remove/", {}, JSON)
    assert member.get(party.url).status_code == 403


def test_someone_removed_is_taken_out_of_their_breakout_room(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    rooms = party.open({"rooms": [party.ids(0), party.ids(1)]}).json()["rooms"]
    media = party.agents[0][1]["media"]
    AsBrowser(janus, media["token"]).join_answer(media, room=rooms[0]["janus_room"])
    server = JanusServer.pool()[0]
    assert [p["id"] for p in server.participants(rooms[0]["janus_room"])] == [media["feed"]]
    party.host.post(f"{API}{party.code}/participants/{party.ids(0)[0]}/remove/", {}, JSON)
    assert breakout.sweep(party.meeting) >= 1
    assert server.participants(rooms[0]["janus_room"]) == []


def test_a_page_in_its_breakout_room_tells_its_devices(janus: Any, client_of: Any) -> None:
    party = Party(client_of)
    rooms = party.open({"rooms": [party.ids(0)]}).json()["rooms"]
    client, me = party.agents[0]
    browser = AsBrowser(janus, me["media"]["token"])
    session, handle = browser.join(me["media"], room=rooms[0]["janus_room"])
    assert browser.event(session)["plugindata"]["data"]["videoroom"] == "joined"
    body = {"microphone": True, "camera": False, "janus_session": session, "janus_handle": handle}
    answer = client.post(f"{API}{party.code}/devices/", body, JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["microphone"] is True
    # once they are closed, that room is no longer one of the meeting's
    party.host.post(f"{party.url}close/", {}, JSON)
    assert client.post(f"{API}{party.code}/devices/", body, JSON).status_code == 400
