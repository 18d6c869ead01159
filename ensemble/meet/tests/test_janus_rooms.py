"""A meeting's Janus room holds only the people Ensemble placed there, checked by talking to
Janus directly as a browser (or an intruder) would: a token opens its own meeting's room only,
a publisher under an id that is not its own is taken out, and someone removed is gone from
the room at once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.janus import JanusServer
from ensemble.meet.models import Participant
from ensemble.meet.tasks import sweep_janus_rooms
from ensemble.meet.tests.conftest import AsBrowser
from ensemble.meet.tests.test_meetings import API, create, join

pytestmark = pytest.mark.django_db

UNAUTHORIZED = 433  # VideoRoom: "Unauthorized (not in the allowed list)"


def ids_in(room: int) -> list[int]:
    return [p["id"] for p in JanusServer.pool()[0].participants(room)]


def wait_for(room: int, feed: int) -> None:
    deadline = time.monotonic() + 5
    while feed not in ids_in(room):
        assert time.monotonic() < deadline, "never appeared in the Janus room"
        time.sleep(0.1)


def meeting_with_two(client_of: Any) -> tuple[Client, str, dict[str, Any], dict[str, Any]]:
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    mine = join(host, code).json()
    them = join(client_of(UserFactory()), code).json()
    return host, code, mine, them


def test_a_token_opens_its_own_meetings_room_only(janus: Any, client_of: Any) -> None:
    _host, _code, mine, _them = meeting_with_two(client_of)
    other_host = client_of(UserFactory())
    other = join(other_host, create(other_host, lobby=False)["code"]).json()["media"]
    intruder = AsBrowser(janus, other["token"])
    refused = intruder.join_answer(other, room=mine["media"]["room"])
    assert refused["error_code"] == UNAUTHORIZED
    assert AsBrowser(janus, other["token"]).join_answer(other)["videoroom"] == "joined"
    # Nor without showing a token, nor with a made-up one.
    assert (
        AsBrowser(janus, other["token"]).join_answer(
            {**other, "feed": 12345}, room=mine["media"]["room"]
        )["error_code"]
        == UNAUTHORIZED
    )


def test_a_token_taken_back_no_longer_opens_the_room(janus: Any, client_of: Any) -> None:
    _host, code, _mine, them = meeting_with_two(client_of)
    media = them["media"]
    participant = Client()
    participant.force_login(Participant.objects.get(pk=them["id"]).user)
    assert participant.post(f"{API}{code}/leave/").status_code == 204
    # Even if Janus let the token open sessions again, the room no longer allows it.
    server = JanusServer.pool()[0]
    server.add_token(media["token"])
    try:
        assert AsBrowser(janus, media["token"]).join_answer(media)["error_code"] == UNAUTHORIZED
    finally:
        server.remove_token(media["token"])


def test_a_publisher_under_someone_elses_screen_id_is_taken_out(janus: Any, client_of: Any) -> None:
    _host, _code, mine, them = meeting_with_two(client_of)
    room = mine["media"]["room"]
    AsBrowser(janus, mine["media"]["token"]).join(mine["media"])
    intruder = AsBrowser(janus, them["media"]["token"])
    assert intruder.join_answer(them["media"], feed=mine["media"]["screen_feed"])["videoroom"] == (
        "joined"
    )
    wait_for(room, mine["media"]["screen_feed"])
    assert sweep_janus_rooms.call() == {"taken_out": 1}
    assert ids_in(room) == [mine["media"]["feed"]]
    # Its own id is still its own.
    assert intruder.join_answer(them["media"])["videoroom"] == "joined"
    assert sweep_janus_rooms.call() == {"taken_out": 0}
    assert sorted(ids_in(room)) == sorted([mine["media"]["feed"], them["media"]["feed"]])


def test_a_removed_guest_is_gone_from_the_room_at_once(janus: Any, client_of: Any) -> None:
    host = client_of(UserFactory())
    code = create(host, access="public", lobby=False)["code"]
    join(host, code)
    guest = join(Client(), code, name="Élise").json()
    media = guest["media"]
    browser = AsBrowser(janus, media["token"])
    session, _handle = browser.join(media, feed=987654321)  # an id of its own choosing
    wait_for(media["room"], 987654321)
    assert host.post(f"{API}{code}/participants/{guest['id']}/remove/").status_code == 200
    assert ids_in(media["room"]) == []
    # Its whole Janus session is gone, not only its publisher: it receives nothing more.
    gone = browser.post(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})
    assert gone["janus"] == "error"


def test_leaving_and_removing_work_while_janus_is_down(janus: Any, client_of: Any) -> None:
    """The sweep after a departure or a removal cannot reach Janus: the move is made anyway
    (a Janus that comes back has forgotten its rooms, tokens and sessions)."""
    host, code, _mine, them = meeting_with_two(client_of)
    other = client_of(UserFactory())
    third = join(other, code).json()
    participant = Client()
    participant.force_login(Participant.objects.get(pk=them["id"]).user)
    janus.stop()
    try:
        assert participant.post(f"{API}{code}/leave/").status_code == 204
        removed = host.post(f"{API}{code}/participants/{third['id']}/remove/")
        assert removed.status_code == 200 and removed.json()["state"] == "removed"
    finally:
        janus.start()
