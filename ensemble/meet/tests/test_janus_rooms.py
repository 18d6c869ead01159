"""A meeting's Janus room holds only the people Ensemble placed there, checked by talking to
Janus directly as a browser (or an intruder) would: a token opens its own meeting's room only,
a publisher under an id that is not its own is taken out (at once, Janus telling Ensemble of
the join), and someone removed is gone from the room at once."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.janus import JanusServer
from ensemble.meet.models import Participant
from ensemble.meet.tasks import sweep_janus_rooms
from ensemble.meet.tests.conftest import AsBrowser, RunningJanus
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


@pytest.mark.django_db(transaction=True)  # the test server and the sweep read the meeting
def test_a_publisher_under_someone_elses_screen_id_is_taken_out_at_once(
    janus_telling: RunningJanus, client_of: Any
) -> None:
    """Janus posts the join to Ensemble, which sweeps the room then and there: the intruder's
    video never stays shown as "Screen of <that person>" until the next minute's sweep."""
    _host, _code, mine, them = meeting_with_two(client_of)
    room, screen = mine["media"]["room"], mine["media"]["screen_feed"]
    AsBrowser(janus_telling, mine["media"]["token"]).join(mine["media"])
    wait_for(room, mine["media"]["feed"])
    intruder = AsBrowser(janus_telling, them["media"]["token"])
    assert intruder.join_answer(them["media"], feed=screen)["videoroom"] == "joined"
    deadline = time.monotonic() + 5
    while ids_in(room) != [mine["media"]["feed"]]:
        assert time.monotonic() < deadline, f"still in the Janus room: {ids_in(room)}"
        time.sleep(0.1)
    # Its own id is still its own: joining under it is no stranger's join.
    assert intruder.join_answer(them["media"])["videoroom"] == "joined"
    time.sleep(1)  # what a sweep after this join would have taken out
    assert sorted(ids_in(room)) == sorted([mine["media"]["feed"], them["media"]["feed"]])


def basic(password: str, user: str = "janus") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


EVENTS = "/meet/janus-events/"


def test_the_events_endpoint_refuses_anyone_without_the_secret(client: Client) -> None:
    event = {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {}}}
    for header in [None, basic("wrong"), basic(settings.JANUS_EVENTS_SECRET, "admin"), "Basic %%"]:
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        answer = client.post(EVENTS, [event], content_type="application/json", **extra)
        assert answer.status_code == 401
    # No CSRF token is asked of Janus, and a GET is no event.
    good = {"HTTP_AUTHORIZATION": basic(settings.JANUS_EVENTS_SECRET)}
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(EVENTS, [event], content_type="application/json", **good).status_code == 204
    assert client.get(EVENTS, **good).status_code == 405


def test_the_events_endpoint_refuses_what_is_not_janus_events(client: Client) -> None:
    good = {"HTTP_AUTHORIZATION": basic(settings.JANUS_EVENTS_SECRET)}
    for body in ["{not json", b"\xff\xfe{", '"a text"', "42"]:
        answer = client.post(EVENTS, body, content_type="application/json", **good)
        assert answer.status_code == 400, body
    large = "[" + ",".join(["{}"] * 200_000) + "]"
    answer = client.post(EVENTS, large, content_type="application/json", **good)
    assert answer.status_code == 413
    # Events of other kinds, or odd ones, are read and ignored.
    odd = [
        {},
        3,
        {
            "type": 64,
            "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "joined", "room": "x"}},
        },
        {"type": 1, "event": {"name": "created"}},
    ]
    answer = client.post(EVENTS, odd, content_type="application/json", **good)
    assert answer.status_code == 204


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
