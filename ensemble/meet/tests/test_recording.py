"""Recordings: what happens to a recording with nothing in it, who may download one, and
how long they are kept. Whose video is shown when: test_recording_layout.py; the frames of
a recording with a shared screen: test_recording_screen.py. (That Janus's files become one
video with sound and picture is checked in Chromium: e2e/test_meet_page.py.)"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet import actions
from ensemble.meet.models import MeetRole, Participant, ParticipantState, Recording, RecordingState
from ensemble.meet.recording import delete_old_recordings, process_recording, raw_folder
from ensemble.portal.models import Notification


def recorded(meeting_title: str = "Conseil") -> tuple[Recording, Any]:
    organiser = UserFactory()
    meeting = actions.create_meeting(organiser, meeting_title)
    return Recording.objects.create(meeting=meeting, started_by=UserFactory()), organiser


@pytest.mark.django_db
def test_a_recording_with_nothing_in_it_fails_clearly(settings: Any, tmp_path: Path) -> None:
    settings.MEET_RECORDING_DIR = tmp_path
    recording, organiser = recorded()
    raw_folder(recording).mkdir(parents=True)
    (raw_folder(recording) / "notes.txt").write_text("not a stream")
    assert process_recording.call(str(recording.pk)) == RecordingState.FAILED
    recording.refresh_from_db()
    assert recording.error == "Nothing was recorded: nobody sent sound or video."
    assert not raw_folder(recording).exists()
    for person in (organiser, recording.started_by):
        notice = Notification.objects.get(recipient=person)
        assert notice.title == "The recording of “Conseil” could not be made"


def ready(recording: Recording) -> Recording:
    recording.file.save("recording.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    recording.state, recording.size, recording.duration = RecordingState.READY, 12, 61.0
    recording.save()
    return recording


@pytest.mark.django_db
def test_who_may_download_a_recording(client_of: Any) -> None:
    recording, organiser = recorded()
    url = f"/api/v1/meet/recordings/{recording.pk}/download/"
    assert client_of(organiser).get(url).status_code == 404  # not ready yet
    ready(recording)
    moderator = UserFactory()
    Participant.objects.create(
        meeting=recording.meeting, user=moderator, display_name="M", role=MeetRole.MODERATOR
    )
    member = UserFactory()
    Participant.objects.create(
        meeting=recording.meeting, user=member, display_name="P", state=ParticipantState.ADMITTED
    )
    for person in (organiser, moderator):
        answer = client_of(person).get(url)
        assert answer.status_code == 200, person
        assert b"".join(answer.streaming_content).startswith(b"\x00\x00\x00\x18ftyp")
        assert 'filename="Conseil' in answer["Content-Disposition"]
    # Whoever recorded it downloads it while they moderate the meeting, not afterwards.
    assert client_of(recording.started_by).get(url).status_code == 404
    assert client_of(member).get(url).status_code == 404
    assert client_of(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code in (401, 403)
    listed = client_of(organiser).get("/api/v1/meet/recordings/").json()["results"]
    assert [(r["title"], r["state"], r["duration"]) for r in listed] == [("Conseil", "ready", 61.0)]
    assert client_of(member).get("/api/v1/meet/recordings/").json()["results"] == []
    assert client_of(member).delete(f"/api/v1/meet/recordings/{recording.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_ready_recording_is_announced_with_its_link(settings: Any) -> None:
    from ensemble.meet.recording import notify_owners

    recording, organiser = recorded("Bureau")
    notify_owners(ready(recording))
    notice = Notification.objects.get(recipient=organiser)
    assert notice.title == "The recording of “Bureau” is ready"
    assert notice.url == f"/api/v1/meet/recordings/{recording.pk}/download/"
    assert notice.body == f"1 min, kept {settings.MEET_RECORDING_RETENTION_DAYS} days."


@pytest.mark.django_db(transaction=True)
def test_recordings_are_deleted_after_the_retention_period(settings: Any, tmp_path: Path) -> None:
    settings.MEET_RECORDING_RETENTION_DAYS = 30
    old, _organiser = recorded()
    ready(old)
    name = old.file.name
    storage = old.file.storage
    fresh, _other = recorded()
    ready(fresh)
    stuck, _third = recorded()
    stuck.state = RecordingState.PROCESSING
    stuck.save()
    long_ago = timezone.now() - timedelta(days=31)
    Recording.objects.filter(pk__in=[old.pk, stuck.pk]).update(created_at=long_ago)
    assert delete_old_recordings.call() == {"deleted": 1}
    assert set(Recording.objects.values_list("pk", flat=True)) == {fresh.pk, stuck.pk}
    assert not storage.exists(name)


@pytest.mark.django_db
def test_ending_a_recorded_meeting_stops_the_recording(
    janus: Any,
    client_of: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEET_RECORDING_DIR = tmp_path
    host_user = UserFactory()
    host = client_of(host_user)
    code = host.post(
        "/api/v1/meet/meetings/", {"title": "Clôture", "lobby": False}, "application/json"
    ).json()["code"]
    host.post(f"/api/v1/meet/meetings/{code}/join/", {}, "application/json")
    host.post(f"/api/v1/meet/meetings/{code}/record/", {"recording": True}, "application/json")
    with django_capture_on_commit_callbacks(execute=True):
        assert host.post(f"/api/v1/meet/meetings/{code}/end/").status_code == 200
    recording = Recording.objects.get()
    assert recording.stopped_at is not None
    assert recording.state == RecordingState.PROCESSING
    assert recording.meeting.recording is False
    process_recording.call(str(recording.pk))  # what the worker does next
    recording.refresh_from_db()
    assert recording.state == RecordingState.FAILED  # nobody published anything


@pytest.mark.django_db
def test_the_organiser_deletes_a_recording_and_its_file(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    recording, organiser = recorded()
    ready(recording)
    name, storage = recording.file.name, recording.file.storage
    url = f"/api/v1/meet/recordings/{recording.pk}/"
    assert client_of(UserFactory()).delete(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(organiser).delete(url).status_code == 204
    assert not Recording.objects.exists() and not storage.exists(name)
