"""In the meeting: raised hands in order, promotion, mute requests, reactions; each refused to
those who may not."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry
from ensemble.meet import actions
from ensemble.meet.events import stream_of
from ensemble.meet.models import Meeting, Participant
from ensemble.meet.tests.conftest import AsBrowser
from ensemble.meet.tests.test_room_api import API, JSON, public_meeting


def meeting_with(client_of: Any, people: int) -> tuple[str, Client, list[tuple[Client, Any]]]:
    host = client_of(UserFactory())
    code = host.post(API, {"title": "Réunion", "lobby": False}, "application/json").json()["code"]
    host.post(f"{API}{code}/join/", {}, "application/json")
    others = []
    for _ in range(people):
        client = client_of(UserFactory())
        others.append((client, client.post(f"{API}{code}/join/", {}, "application/json").json()))
    return code, host, others


@pytest.mark.django_db
def test_hands_are_answered_in_the_order_they_were_raised(janus: Any, client_of: Any) -> None:
    code, host, others = meeting_with(client_of, 2)
    (first, first_me), (second, second_me) = others
    assert (
        second.post(f"{API}{code}/hand/", {"raised": True}, "application/json").status_code == 200
    )
    first.post(f"{API}{code}/hand/", {"raised": True}, "application/json")
    order = [p["id"] for p in host.get(f"{API}{code}/hands/").json()]
    assert order == [second_me["id"], first_me["id"]]
    second.post(f"{API}{code}/hand/", {"raised": False}, "application/json")
    assert [p["id"] for p in host.get(f"{API}{code}/hands/").json()] == [first_me["id"]]
    outsider = client_of(UserFactory())
    assert (
        outsider.post(f"{API}{code}/hand/", {"raised": True}, "application/json").status_code == 404
    )
    assert outsider.get(f"{API}{code}/hands/").status_code == 404
    events = [e["event"] for e in events_after(stream_of(Meeting.objects.get(code=code)), 0)]
    assert events.count("meet.hand.changed") == 3


@pytest.mark.django_db
def test_only_moderators_promote_and_ask_to_mute(janus: Any, client_of: Any) -> None:
    code, host, others = meeting_with(client_of, 2)
    (member, member_me), (other, other_me) = others
    url = f"{API}{code}/participants/{other_me['id']}/role/"
    assert member.post(url, {"role": "moderator"}, "application/json").status_code == 403
    assert AuditEntry.objects.filter(action="meet.moderation_refused").count() == 1
    assert member.post(f"{API}{code}/mute/", {}, "application/json").status_code == 403

    promoted = host.post(url, {"role": "moderator"}, "application/json")
    assert promoted.status_code == 200 and promoted.json()["role"] == "moderator"
    assert host.post(url, {"role": "host"}, "application/json").status_code == 400
    muted = other.post(f"{API}{code}/mute/", {}, "application/json")  # now a moderator
    assert muted.status_code == 200 and muted.json()["muted"] == [member_me["id"]]
    one = host.post(f"{API}{code}/mute/", {"participant": other_me["id"]}, "application/json")
    assert one.json()["muted"] == [other_me["id"]]
    meeting = Meeting.objects.get(code=code)
    requested = [
        e for e in events_after(stream_of(meeting), 0) if e["event"] == "meet.mute.requested"
    ]
    assert [e["payload"]["ids"] for e in requested] == [[member_me["id"]], [other_me["id"]]]


@pytest.mark.django_db
def test_reactions_reach_everyone_guests_included(
    janus: Any, client_of: Any, settings: Any
) -> None:
    code, host, guest, me = public_meeting(client_of)
    meeting = Meeting.objects.get(code=code)
    after = events_after(stream_of(meeting), 0)[-1]["seq"]
    answer = guest.post(f"{API}{code}/react/", {"emoji": "👏", "id": "x"}, JSON)
    assert answer.status_code == 204
    assert host.post(f"{API}{code}/react/", {"emoji": "🎉"}, JSON).status_code == 204
    reactions = [e["payload"] for e in events_after(stream_of(meeting), after)]
    assert [(r["id"], r["name"], r["emoji"]) for r in reactions] == [
        (me["id"], "Élise", "👏"),
        (str(meeting.participants.get(user=meeting.organiser).pk), str(meeting.organiser), "🎉"),
    ]
    for emoji in ("hello", "", "👏👏"):
        answer = guest.post(f"{API}{code}/react/", {"emoji": emoji}, JSON)
        assert answer.status_code == 400, emoji
    assert Client().post(f"{API}{code}/react/", {"emoji": "👍"}, JSON).status_code == 404
    outsider = client_of(UserFactory())
    assert outsider.post(f"{API}{code}/react/", {"emoji": "👍"}, JSON).status_code == 404
    host.post(f"{API}{code}/participants/{me['id']}/remove/", {}, JSON)
    answer = guest.post(f"{API}{code}/react/", {"emoji": "👍"}, JSON)
    assert answer.status_code == 403

    # within one minute of the clock, not across the turn of one (the counter would restart)
    with mock.patch("ensemble.meet.actions.time", SimpleNamespace(time=lambda: 60.0 * 1000)):
        statuses = [
            host.post(f"{API}{code}/react/", {"emoji": "👍"}, JSON).status_code
            for _ in range(actions.REACTIONS_PER_MINUTE)
        ]
        too_many = host.post(f"{API}{code}/react/", {"emoji": "👍"}, JSON)
    assert set(statuses) == {204}  # as many as a minute allows
    assert too_many.status_code == 429 and "wait a moment" in too_many.json()["detail"]


def publish_microphone(janus: Any, media: dict[str, Any]) -> tuple[int, int]:
    """What a browser does to publish its microphone: join the VideoRoom with the token and
    feed id given, and send an SDP offer (aiortc's; no media needs to flow for Janus to know
    the stream). Returns the Janus session and handle."""
    from aiortc import AudioStreamTrack, RTCPeerConnection

    async def offer() -> dict[str, str]:
        pc = RTCPeerConnection()
        pc.addTrack(AudioStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())
        description = {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp}
        await pc.close()
        return description

    browser = AsBrowser(janus, media["token"])
    session, handle = browser.join(media)
    assert browser.event(session)["plugindata"]["data"]["videoroom"] == "joined"
    publish = {"janus": "message", "body": {"request": "publish"}, "jsep": asyncio.run(offer())}
    browser.post(f"/{session}/{handle}", publish)
    assert "jsep" in browser.event(session)
    return session, handle


@pytest.mark.django_db
def test_a_moderators_mute_is_applied_in_janus(
    janus: Any, client_of: Any, monkeypatch: Any
) -> None:
    """Ensemble learns from Janus which stream is someone's microphone, mutes it there when a
    moderator asks, and lets it through again when its owner unmutes."""
    from ensemble.meet.janus import JanusServer

    code, host, others = meeting_with(client_of, 1)
    (member, member_me) = others[0]
    session, handle = publish_microphone(janus, member_me["media"])
    devices = f"{API}{code}/devices/"
    mine = {"microphone": True, "camera": False, "janus_session": session, "janus_handle": handle}
    # Someone else's connection is refused: it is not theirs.
    host.post(f"{API}{code}/join/", {}, "application/json")
    refused = host.post(devices, mine, "application/json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "This is not your connection to the video service."
    assert member.post(devices, mine, "application/json").status_code == 200
    participant = Participant.objects.get(pk=member_me["id"])
    assert participant.janus_audio_mid == "0"

    calls: list[tuple[int, str, bool]] = []
    real = JanusServer.moderate

    def spy(self: Any, room: int, secret: str, feed: int, mid: str, mute: bool) -> None:
        real(self, room, secret, feed, mid, mute)  # Janus answers, or this raises
        calls.append((feed, mid, mute))

    monkeypatch.setattr(JanusServer, "moderate", spy)
    host.post(f"{API}{code}/mute/", {"participant": member_me["id"]}, "application/json")
    assert calls == [(member_me["media"]["feed"], "0", True)]
    member.post(devices, {"microphone": True, "camera": False}, "application/json")
    assert calls[-1] == (member_me["media"]["feed"], "0", False)
