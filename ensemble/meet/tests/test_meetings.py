"""Meetings on a real Janus: who gets in, the waiting room, tokens given and taken back,
moderation refused to others (and audited), a full or locked meeting, Janus down and back."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry
from ensemble.meet.guests import cookie_name
from ensemble.meet.models import Meeting, Participant
from ensemble.meet.tests.conftest import AsBrowser

pytestmark = pytest.mark.django_db

API = "/api/v1/meet/meetings/"


def with_key(code: str, key: str) -> Client:
    """A browser holding ``key`` as its guest key for meeting ``code``."""
    browser = Client()
    browser.cookies[cookie_name(code)] = key
    return browser


def token_works(janus: Any, token: str) -> bool:
    """Whether Janus lets this token open a session (what a browser does first)."""
    answer = requests.post(
        janus.settings.url, json={"janus": "create", "transaction": "t", "token": token}, timeout=5
    ).json()
    return bool(answer["janus"] == "success")


def create(client: Client, **fields: Any) -> Any:
    response = client.post(API, {"title": "Point d'équipe", **fields}, "application/json")
    assert response.status_code == 201, response.content
    return response.json()


def join(client: Client, code: str, **fields: Any) -> Any:
    return client.post(f"{API}{code}/join/", fields, "application/json")


def test_the_host_joins_with_a_token_that_janus_accepts_and_loses_on_leaving(
    janus: Any, client_of: Any
) -> None:
    host = client_of(UserFactory())
    meeting = create(host)
    assert len(meeting["code"]) == 12 and meeting["code"][3] == "-"
    answer = join(host, meeting["code"])
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["state"] == "admitted" and data["role"] == "host"
    media = data["media"]
    assert media["server"] == janus.settings.ws_url and isinstance(media["room"], int)
    assert "secret" not in str(data).lower()
    stored = Meeting.objects.get(code=meeting["code"])
    assert stored.janus_secret and stored.janus_secret not in str(data)
    assert token_works(janus, media["token"])
    assert not token_works(janus, "made-up-token")
    assert host.post(f"{API}{meeting['code']}/leave/").status_code == 204
    assert not token_works(janus, media["token"])


def test_the_waiting_room_admit_deny_and_who_may_decide(janus: Any, client_of: Any) -> None:
    host_user, colleague, other = UserFactory(), UserFactory(), UserFactory()
    host = client_of(host_user)
    code = create(host, lobby=True)["code"]
    join(host, code)
    waiting = join(client_of(colleague), code).json()
    assert waiting["state"] == "waiting" and waiting["media"] is None
    refused = join(client_of(other), code).json()

    # Someone who is not a moderator cannot decide: refused, and it is audited.
    base = f"{API}{code}/participants"
    attempt = client_of(colleague).post(f"{base}/{refused['id']}/admit/")
    assert attempt.status_code == 403
    assert AuditEntry.objects.filter(action="meet.moderation_refused").count() == 1

    admitted = host.post(f"{base}/{waiting['id']}/admit/")
    assert admitted.status_code == 200 and admitted.json()["state"] == "admitted"
    mine = client_of(colleague).get(f"{API}{code}/me/").json()
    assert token_works(janus, mine["media"]["token"])
    assert host.post(f"{base}/{refused['id']}/deny/").json()["state"] == "denied"
    assert client_of(other).get(f"{API}{code}/me/").json()["media"] is None
    assert host.post(f"{base}/{refused['id']}/admit/").status_code == 403  # no longer waiting


def test_removing_someone_takes_their_token_back_and_keeps_them_out(
    janus: Any, client_of: Any
) -> None:
    host_user, guest_user = UserFactory(), UserFactory()
    host = client_of(host_user)
    code = create(host, lobby=False)["code"]
    join(host, code)
    them = join(client_of(guest_user), code).json()
    assert token_works(janus, them["media"]["token"])
    removed = host.post(f"{API}{code}/participants/{them['id']}/remove/")
    assert removed.json()["state"] == "removed"
    assert not token_works(janus, them["media"]["token"])
    assert join(client_of(guest_user), code).status_code == 403
    assert AuditEntry.objects.filter(action="meet.participant_removed").exists()


def test_a_full_meeting_says_so(janus: Any, client_of: Any, settings: Any) -> None:
    settings.MEET_MAX_PARTICIPANTS = 2
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    join(host, code)
    assert join(client_of(UserFactory()), code).status_code == 200
    full = join(client_of(UserFactory()), code)
    assert full.status_code == 409
    assert (
        full.json()["detail"] == "This meeting is full (2 people). Try again when someone leaves."
    )


def test_a_locked_meeting_keeps_newcomers_out_and_an_ended_one_everyone(
    janus: Any, client_of: Any
) -> None:
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    first = join(host, code).json()
    assert host.post(f"{API}{code}/lock/", {"locked": True}, "application/json").status_code == 200
    locked = join(client_of(UserFactory()), code)
    assert locked.status_code == 403 and "locked" in locked.json()["detail"]
    assert host.post(f"{API}{code}/end/").status_code == 200
    assert not token_works(janus, first["media"]["token"])
    assert join(host, code).status_code == 403


def test_guests_join_public_meetings_only_with_a_name(janus: Any, client_of: Any) -> None:
    host = client_of(UserFactory())
    public = create(host, access="public", lobby=True)["code"]
    join(host, public)
    guest = Client()
    assert join(guest, public).status_code == 403  # no name
    waiting = join(guest, public, name="Élise (mairie annexe)").json()
    assert waiting["state"] == "waiting" and "guest_key" not in waiting
    assert guest.cookies[cookie_name(public)]["httponly"] is True
    host.post(f"{API}{public}/participants/{waiting['id']}/admit/")
    mine = guest.get(f"{API}{public}/me/").json()
    assert mine["state"] == "admitted" and token_works(janus, mine["media"]["token"])
    assert with_key(public, "wrong").get(f"{API}{public}/me/").status_code == 404
    assert Client().get(f"{API}{public}/me/").status_code == 404

    private = create(host)["code"]  # signed-in people only
    assert join(Client(), private, name="Quelqu'un").status_code == 403
    invited_only = create(host, access="invited")["code"]
    assert join(client_of(UserFactory()), invited_only).status_code == 403


def test_janus_down_is_a_clear_503_and_the_meeting_is_placed_again(
    janus: Any, client_of: Any
) -> None:
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    before = join(host, code).json()["media"]
    janus.stop()
    try:
        down = join(client_of(UserFactory()), code)
        assert down.status_code == 503
        assert down.json()["detail"] == (
            "The video service is not available right now. Try again in a moment."
        )
    finally:
        janus.start()
    again = join(client_of(UserFactory()), code)
    assert again.status_code == 200, again.content
    media = again.json()["media"]
    assert token_works(janus, media["token"])
    # The restarted Janus had lost the room: the meeting was placed again, and the host's
    # token was renewed too.
    host_now = host.get(f"{API}{code}/me/").json()["media"]
    assert token_works(janus, host_now["token"]) and host_now["token"] != before["token"]


def test_who_may_see_and_list(janus: Any, client_of: Any) -> None:
    host_user = UserFactory()
    host = client_of(host_user)
    code = create(host)["code"]
    assert Client().get(f"{API}{code}/").status_code == 401
    assert client_of(UserFactory()).get(f"{API}{code}/").status_code == 200
    assert [m["code"] for m in host.get(API).json()["results"]] == [code]
    assert client_of(UserFactory()).get(API).json()["results"] == []
    assert Client().post(API, {"title": "x"}, "application/json").status_code == 401
    outsider = client_of(UserFactory())
    assert outsider.get(f"{API}{code}/participants/").status_code == 404  # not joined
    assert Participant.objects.count() == 1


def enter_room(janus: Any, media: dict[str, Any]) -> None:
    """Do what a browser does first: join the VideoRoom with the token and the feed id given."""
    AsBrowser(janus, media["token"]).join(media)


def test_removing_someone_takes_them_out_of_the_janus_room(janus: Any, client_of: Any) -> None:
    from ensemble.meet.janus import JanusServer

    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    join(host, code)
    them = join(client_of(UserFactory()), code).json()
    enter_room(janus, them["media"])
    server = JanusServer.pool()[0]
    room = them["media"]["room"]
    deadline = time.monotonic() + 5
    while them["media"]["feed"] not in [p["id"] for p in server.participants(room)]:
        assert time.monotonic() < deadline, "the participant never appeared in the Janus room"
        time.sleep(0.1)
    host.post(f"{API}{code}/participants/{them['id']}/remove/")
    assert them["media"]["feed"] not in [p["id"] for p in server.participants(room)]


def test_joining_again_after_a_janus_restart_gets_a_new_place(janus: Any, client_of: Any) -> None:
    """What a page does when its Janus connection drops: join again, and get a token that
    works on a room that exists (the meeting placed again), guests included (by their cookie)."""
    host = client_of(UserFactory())
    code = create(host, access="public", lobby=False)["code"]
    before = join(host, code).json()
    guest = Client()
    guest_before = join(guest, code, name="Élise").json()
    assert join(host, code).json()["media"]["token"] == before["media"]["token"]  # a reload
    janus.stop()
    try:
        assert join(host, code).status_code == 503
    finally:
        janus.start()
    after = join(host, code).json()
    assert after["id"] == before["id"] and after["media"]["token"] != before["media"]["token"]
    assert after["media"]["room"] != before["media"]["room"]
    assert token_works(janus, after["media"]["token"])
    again = guest.post(f"{API}{code}/join/", {}, "application/json").json()
    assert again["id"] == guest_before["id"] and again["media"]["room"] == after["media"]["room"]
    assert token_works(janus, again["media"]["token"])
    assert Participant.objects.filter(meeting__code=code).count() == 2
    assert with_key(code, "wrong").get(f"{API}{code}/me/").status_code == 404
    host.post(f"{API}{code}/end/")
    ended = guest.post(f"{API}{code}/join/", {}, "application/json")
    assert ended.status_code == 403 and ended.json()["detail"] == "This meeting has ended."


def test_coming_back_soon_skips_the_waiting_room(janus: Any, client_of: Any) -> None:
    """A reload or a closed tab leaves the meeting; back within minutes, one is let straight
    in; later, one waits to be admitted like anyone."""
    host = client_of(UserFactory())
    code = create(host)["code"]  # with a waiting room
    join(host, code)
    person = UserFactory()
    member = client_of(person)
    waiting = join(member, code).json()
    host.post(f"{API}{code}/participants/{waiting['id']}/admit/")
    assert member.post(f"{API}{code}/leave/").status_code == 204
    assert join(member, code).json()["state"] == "admitted"
    member.post(f"{API}{code}/leave/")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert join(member, code).json()["state"] == "waiting"


def test_a_read_only_token_never_gets_the_media_credentials(janus: Any, client_of: Any) -> None:
    from ensemble.accounts.tests.factories import api_token

    host = UserFactory()
    browser = client_of(host)
    code = create(browser, lobby=False)["code"]
    assert join(browser, code).json()["media"]["token"]
    for scopes, media in ((["read"], False), (["read", "write"], True)):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token(host, scopes)}"}
        mine = Client().get(f"{API}{code}/me/", **headers)
        assert mine.status_code == 200
        assert mine.json()["state"] == "admitted"
        assert (mine.json()["media"] is not None) is media
