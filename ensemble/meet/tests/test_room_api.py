"""What the meeting page uses: who is in (with their Janus feeds), the meeting's events for
guests without a socket, microphone and camera state, and recording; each
refused to those who may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry
from ensemble.meet.models import Meeting, Recording, RecordingState
from ensemble.meet.tests.test_meetings import with_key

API = "/api/v1/meet/meetings/"
JSON = "application/json"


def public_meeting(client_of: Any) -> tuple[str, Client, Client, dict[str, Any]]:
    """A public meeting without waiting room: its host, and a guest in it."""
    host = client_of(UserFactory())
    code = host.post(API, {"title": "Conseil", "access": "public", "lobby": False}, JSON).json()[
        "code"
    ]
    host.post(f"{API}{code}/join/", {}, JSON)
    guest = Client()
    me = guest.post(f"{API}{code}/join/", {"name": "Élise"}, JSON).json()
    assert me["state"] == "admitted"
    return code, host, guest, me


@pytest.mark.django_db
def test_people_inside_see_who_is_there_with_their_feeds(janus: Any, client_of: Any) -> None:
    code, host, guest, me = public_meeting(client_of)
    people = guest.get(f"{API}{code}/participants/").json()
    assert {p["display_name"] for p in people} == {
        "Élise",
        str(Meeting.objects.get(code=code).organiser),
    }
    elise = next(p for p in people if p["id"] == me["id"])
    assert elise["guest"] is True and elise["feed"] == me["media"]["feed"]
    assert elise["screen_feed"] == me["media"]["screen_feed"] != elise["feed"]
    listed = host.get(f"{API}{code}/participants/")
    assert listed.status_code == 200
    # Where the stream stood before the list: a change after it is an event after that seq.
    seq = int(listed["X-Stream-Seq"])
    host.post(f"{API}{code}/hand/", {"raised": True}, JSON)
    after = guest.get(f"{API}{code}/events/?after={seq}").json()["events"]
    assert [e["event"] for e in after] == ["meet.hand.changed"]
    assert Client().get(f"{API}{code}/participants/").status_code == 404  # not joined
    assert with_key(code, "wrong").get(f"{API}{code}/participants/").status_code == 404
    outsider = client_of(UserFactory())
    assert outsider.get(f"{API}{code}/participants/").status_code == 404


@pytest.mark.django_db
def test_someone_waiting_does_not_see_inside(janus: Any, client_of: Any) -> None:
    host = client_of(UserFactory())
    code = host.post(API, {"title": "Jury", "access": "public"}, JSON).json()["code"]
    host.post(f"{API}{code}/join/", {}, JSON)
    waiting = Client()
    waiting.post(f"{API}{code}/join/", {"name": "Marc"}, JSON)
    for path in ("participants/", "events/", "hands/"):
        assert waiting.get(f"{API}{code}/{path}").status_code == 403, path
    assert waiting.get(f"{API}{code}/messages/").status_code == 403
    assert waiting.get(f"{API}{code}/events/?stream=chat").status_code == 403
    said = {"txn_id": "t1", "body": "Bonjour"}
    assert waiting.post(f"{API}{code}/messages/", said, JSON).status_code == 403


@pytest.mark.django_db
def test_guests_follow_the_meeting_by_asking_for_its_events(janus: Any, client_of: Any) -> None:
    code, host, guest, _me = public_meeting(client_of)
    start = guest.get(f"{API}{code}/events/?after=999999").json()
    assert start["events"] == [] and start["seq"] > 0
    host.post(f"{API}{code}/lock/", {"locked": True}, JSON)
    page = guest.get(f"{API}{code}/events/?after={start['seq']}").json()
    assert [e["event"] for e in page["events"]] == ["meet.meeting.updated"]
    assert page["events"][0]["payload"]["locked"] is True
    assert page["events"][0]["seq"] == page["seq"] == start["seq"] + 1
    answer = guest.get(f"{API}{code}/events/?after=soon")
    assert answer.status_code == 400


@pytest.mark.django_db
def test_microphone_and_camera_state_is_shown_to_the_others(janus: Any, client_of: Any) -> None:
    code, host, guest, me = public_meeting(client_of)
    answer = guest.post(f"{API}{code}/devices/", {"microphone": False, "camera": True}, JSON)
    assert answer.status_code == 200
    elise = next(p for p in host.get(f"{API}{code}/participants/").json() if p["id"] == me["id"])
    assert (elise["microphone"], elise["camera"]) == (False, True)
    changed = [
        e["payload"]
        for e in host.get(f"{API}{code}/events/?after=0").json()["events"]
        if e["event"] == "meet.participant.changed" and e["payload"]["id"] == me["id"]
    ]
    assert changed[-1]["camera"] is True and changed[-1]["microphone"] is False
    assert guest.post(f"{API}{code}/devices/", {"microphone": "loud"}, JSON).status_code == 400


@pytest.mark.django_db
def test_moderators_start_and_stop_the_recording_everyone_sees_it(
    janus: Any, client_of: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEET_RECORDING_DIR = tmp_path
    host_user = UserFactory()
    host = client_of(host_user)
    code = host.post(API, {"title": "Audience", "lobby": False}, JSON).json()["code"]
    assert (
        host.post(f"{API}{code}/record/", {"recording": True}, JSON).status_code == 403
    )  # not in yet
    host.post(f"{API}{code}/join/", {}, JSON)
    member = client_of(UserFactory())
    member.post(f"{API}{code}/join/", {}, JSON)
    assert member.post(f"{API}{code}/record/", {"recording": True}, JSON).status_code == 403
    assert AuditEntry.objects.filter(action="meet.moderation_refused").exists()
    answer = host.post(f"{API}{code}/record/", {"recording": True}, JSON)
    assert answer.status_code == 200 and answer.json()["recording"] is True
    meeting = Meeting.objects.get(code=code)
    rooms = janus.server().videoroom({"request": "list", "admin_key": settings.JANUS_ADMIN_KEY})
    room = next(r for r in rooms["list"] if r["room"] == meeting.janus_room)
    recording = Recording.objects.get(meeting=meeting)
    assert recording.state == RecordingState.RECORDING and recording.started_by == host_user
    assert room["record"] is True
    assert room["rec_dir"] == str(tmp_path / str(meeting.pk) / str(recording.pk))
    events = member.get(f"{API}{code}/events/?after=0").json()["events"]
    assert [e["payload"]["recording"] for e in events if e["event"] == "meet.meeting.updated"] == [
        True
    ]
    assert (
        host.post(f"{API}{code}/record/", {"recording": False}, JSON).json()["recording"] is False
    )
    recording.refresh_from_db()
    assert recording.state == RecordingState.PROCESSING and recording.stopped_at is not None
    assert AuditEntry.objects.filter(action="meet.recording_started", actor=host_user).exists()
    assert AuditEntry.objects.filter(action="meet.recording_stopped", actor=host_user).exists()


@pytest.mark.django_db
def test_recording_with_janus_down_is_a_clear_503(janus: Any, client_of: Any) -> None:
    host = client_of(UserFactory())
    code = host.post(API, {"title": "Audience", "lobby": False}, JSON).json()["code"]
    host.post(f"{API}{code}/join/", {}, JSON)
    janus.stop()
    answer = host.post(f"{API}{code}/record/", {"recording": True}, JSON)
    assert answer.status_code == 503
    assert "video service" in answer.json()["detail"]
    assert Meeting.objects.get(code=code).recording is False
