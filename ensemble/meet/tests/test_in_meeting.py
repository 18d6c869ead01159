"""In the meeting: raised hands in order, promotion, mute requests, reactions; each refused to
those who may not."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry
from ensemble.core.tests.test_stream import connect, receive_until
from ensemble.meet import actions
from ensemble.meet.events import stream_of
from ensemble.meet.models import Meeting, Participant
from ensemble.meet.tests.conftest import AsBrowser

API = "/api/v1/meet/meetings/"


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


@pytest.mark.django_db(transaction=True)
async def test_reactions_reach_the_meeting_as_their_real_sender(janus: Any) -> None:
    host, guest = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    meeting = await database_sync_to_async(actions.create_meeting)(host, "R", lobby=False)
    await database_sync_to_async(actions.join)(meeting, host)
    await database_sync_to_async(actions.join)(meeting, guest)
    watching, reacting = await connect(host), await connect(guest)
    for socket in (watching, reacting):
        await socket.send_json_to({"action": "subscribe", "stream": stream_of(meeting), "after": 0})
        await receive_until(socket, "subscribed")
    await reacting.send_json_to(
        {"action": "signal", "stream": stream_of(meeting), "signal": "meet.reaction",
         "payload": {"emoji": "👏", "user": "someone-else"}}
    )  # fmt: skip
    signal = await receive_until(watching, "signal")
    assert signal[-1]["payload"] == {"user": str(guest.pk), "name": str(guest), "emoji": "👏"}
    await reacting.send_json_to(
        {"action": "signal", "stream": stream_of(meeting), "signal": "meet.reaction",
         "payload": {"emoji": "hello"}}
    )  # fmt: skip
    assert (await receive_until(reacting, "error"))[-1]["code"] == "bad_message"
    await watching.disconnect()
    await reacting.disconnect()


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
