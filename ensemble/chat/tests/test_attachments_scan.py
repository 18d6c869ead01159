"""Files sent in the chat are scanned for malware by a real clamd (the test session's, with an
EICAR signature) before anyone but their uploader may download them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Attachment, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.chat.tests.test_attachments import content, png, send, upload
from ensemble.core.events import events_after
from ensemble.core.models import AuditEntry, TaskFailure
from ensemble.core.scanning import scan_stored_file
from ensemble.core.tests.clamav import EICAR, FOUND_AS, Daemon

pytestmark = pytest.mark.django_db
# These drive the database worker by hand, with the clock moved between runs; the RQ worker's
# retries, used with Redis, are tested in core/tests/test_tasks.py.
with_the_database_worker = pytest.mark.skipif(
    bool(settings.REDIS_URL), reason="drives the database task worker (the embedded default)"
)

PENDING = "This file is being checked for malware; try again in a moment."
FAILED = "This file could not be checked for malware yet; it will be tried again."
MALWARE = "This file contains malware: nobody may download it."


@dataclass
class Two:
    room: Any
    uploader: Client
    fellow: Client


@pytest.fixture
def two(client_of: Any) -> Two:
    """A room, and the signed-in clients of one of its members (who uploads) and another."""
    member = RoomMemberFactory()
    fellow = RoomMemberFactory(room=member.room).user
    return Two(member.room, client_of(member.user), client_of(fellow))


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """``with committed():`` runs what waits for the commit (the scan job) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def url(info: dict[str, Any], what: str = "content") -> str:
    return f"/api/v1/chat/attachments/{info['id']}/{what}/"


def state(info: dict[str, Any]) -> str:
    return str(Attachment.objects.get(pk=info["id"]).scan)


def test_a_clean_file_is_downloadable_by_others_once_scanned(
    two: Two, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    room, client, fellow = two.room, two.uploader, two.fellow
    with committed():
        info = upload(client, room, "note.txt", b"Ordre du jour").json()
    assert state(info) == "clean"
    message = send(client, room, "t1", "", [info["id"]]).json()
    assert message["attachments"][0]["scan"] == "clean"
    assert content(fellow.get(url(info))) == b"Ordre du jour"
    assert fellow.get(f"/api/v1/chat/attachments/{info['id']}/").json()["scan"] == "clean"


def test_malware_is_refused_to_everyone_and_its_uploader_learns_its_name(
    client_of: Any, two: Two, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    room, client, fellow = two.room, two.uploader, two.fellow
    with committed():
        info = upload(client, room, "facture.pdf", b"%PDF-1.4\n" + EICAR).json()
    assert state(info) == "infected"
    assert Attachment.objects.get(pk=info["id"]).scan_signature == FOUND_AS
    send(client, room, "t1", "la facture", [info["id"]])
    own = client.get(url(info))
    assert own.status_code == 403
    assert own.json()["detail"] == (
        f"This file contains malware ({FOUND_AS}): nobody may download it."
    )
    other = fellow.get(url(info))
    assert (other.status_code, other.json()["detail"]) == (403, MALWARE)
    french = client_of(RoomMemberFactory(room=room, user__language="fr").user)
    assert french.get(url(info)).json()["detail"] == (
        "Ce fichier contient un logiciel malveillant : personne ne peut le télécharger."
    )
    entry = AuditEntry.objects.get(action="files.malware_found")
    assert (entry.target_id, entry.data) == (info["id"], {"signature": FOUND_AS})


def test_a_picture_with_malware_has_no_thumbnail_either(
    client_of: Any, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    member = RoomMemberFactory()
    room = member.room
    client = client_of(member.user)
    with committed():
        info = upload(client, room, "photo.png", png(64, 64) + EICAR, "image/png").json()
    assert info["thumbnail"] is True and state(info) == "infected"
    assert client.get(url(info, "thumbnail")).status_code == 403


def test_a_file_waiting_for_its_scan_is_only_for_its_uploader(
    client_of: Any, two: Two, clamd: Daemon
) -> None:
    """Without a worker, the scan job waits in the queue: the file stays pending."""
    room, client, fellow = two.room, two.uploader, two.fellow
    info = upload(client, room, "photo.png", png(64, 64), "image/png").json()
    assert info["scan"] == "pending"
    send(client, room, "t1", "", [info["id"]])
    assert content(client.get(url(info))) == png(64, 64)
    refused = fellow.get(url(info))
    assert (refused.status_code, refused.json()["detail"]) == (423, PENDING)
    french = client_of(RoomMemberFactory(room=room, user__language="fr").user)
    assert french.get(url(info)).json()["detail"] == (
        "Ce fichier est en cours de vérification antivirus ; réessayez dans un instant."
    )
    # The thumbnail is made by Ensemble from the picture's pixels: shown while it waits.
    assert fellow.get(url(info, "thumbnail")).status_code == 200


def test_the_room_learns_when_a_sent_files_scan_ends(two: Two, clamd: Daemon) -> None:
    """Sent while pending: the room's stream tells the new state, and what a page had with
    that event applied equals a fresh fetch."""
    room, client = two.room, two.uploader
    info = upload(client, room, "a.txt", b"texte").json()
    message = send(client, room, "t1", "", [info["id"]]).json()
    assert message["attachments"][0]["scan"] == "pending"
    last = events_after(room.stream, 0)[-1]["seq"]
    scan_stored_file.call("chat.Attachment", info["id"])
    events = events_after(room.stream, last)
    assert [(event["event"], event["payload"]) for event in events] == [
        (
            "chat.attachment.scanned",
            {"id": info["id"], "message": message["id"], "scan": "clean"},
        )
    ]
    message["attachments"][0]["scan"] = events[0]["payload"]["scan"]  # as the page applies it
    fresh = two.fellow.get(f"/api/v1/chat/messages/{message['id']}/").json()
    assert fresh["attachments"] == message["attachments"]
    scan_stored_file.call("chat.Attachment", info["id"])  # scanned already: nothing new
    assert len(events_after(room.stream, last)) == 1


def test_without_a_scanner_files_are_served_and_marked_unscanned(
    client_of: Any, settings: Any
) -> None:
    assert settings.SCANNER_ADDRESS == "off"  # the tests' default, as an install without ClamAV
    member = RoomMemberFactory()
    room = member.room
    client = client_of(member.user)
    info = upload(client, room, "a.txt", b"texte").json()
    assert info["scan"] == "unscanned" and state(info) == "unscanned"
    send(client, room, "t1", "", [info["id"]])
    assert client_of(RoomMemberFactory(room=room).user).get(url(info)).status_code == 200


TOO_LARGE = "This file is too large to be checked for malware: only its sender may download it."


@pytest.mark.parametrize("serve", [False, True])
def test_a_file_larger_than_the_scanner_takes_is_for_its_uploader_only_unless_allowed(
    two: Two, clamd: Daemon, settings: Any, immediate_tasks: None, committed: Any, serve: bool
) -> None:
    settings.SCANNER_MAX_BYTES = 100
    settings.SCANNER_SERVE_LARGE_UNSCANNED = serve
    room, client, fellow = two.room, two.uploader, two.fellow
    with committed():
        info = upload(client, room, "big.bin", b"x" * 101).json()
        send(client, room, "t1", "", [info["id"]])
    assert client.get(url(info)).status_code == 200  # its uploader has it
    if serve:  # the operator chose to serve such files unchecked
        assert state(info) == "unscanned" and fellow.get(url(info)).status_code == 200
    else:
        assert state(info) == "too_large"
        refused = fellow.get(url(info))
        assert (refused.status_code, refused.json()["detail"]) == (403, TOO_LARGE)


@with_the_database_worker
@pytest.mark.django_db(transaction=True)
def test_clamav_installed_but_its_socket_missing_leaves_files_withheld_then_scanned(
    two: Two, clamd: Daemon, settings: Any, time_machine: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """SCANNER_ADDRESS=auto with Debian's clamav installed but clamd stopped (or waiting for
    its first signatures): files wait, failed and retried, never served unchecked."""
    time_machine.move_to(timezone.now(), tick=False)
    settings.SCANNER_ADDRESS, settings.TASK_RETRY_BASE_SECONDS = "auto", 60
    config = tmp_path / "clamd.conf"
    config.write_text(f"LocalSocket {tmp_path / 'clamd.ctl'}\n")
    monkeypatch.setattr("ensemble.core.scanner.DEBIAN_CONFIG", config)
    room, client, fellow = two.room, two.uploader, two.fellow
    info = upload(client, room, "a.txt", b"texte").json()
    assert info["scan"] == "pending"
    send(client, room, "t1", "", [info["id"]])
    run_worker()
    assert state(info) == "failed" and fellow.get(url(info)).status_code == 423
    config.write_text(f"LocalSocket {clamd.socket}\n")  # clamd started
    time_machine.shift(timedelta(seconds=61))
    run_worker()
    assert state(info) == "clean" and content(fellow.get(url(info))) == b"texte"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@with_the_database_worker
@pytest.mark.django_db(transaction=True)
def test_clamd_down_leaves_the_file_failed_retried_and_never_served_as_clean(
    two: Two, clamd: Daemon, settings: Any, time_machine: Any, tmp_path: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    settings.SCANNER_ADDRESS = str(tmp_path / "clamd-is-down.sock")
    settings.TASK_RETRY_BASE_SECONDS = 60
    room, client, fellow = two.room, two.uploader, two.fellow
    info = upload(client, room, "a.txt", b"texte").json()
    send(client, room, "t1", "", [info["id"]])
    run_worker()
    assert state(info) == "failed"
    refused = fellow.get(url(info))
    assert (refused.status_code, refused.json()["detail"]) == (423, FAILED)
    assert client.get(url(info)).status_code == 200  # its uploader still has it
    run_worker()  # the retry is not due yet
    assert state(info) == "failed"
    settings.SCANNER_ADDRESS = clamd.socket  # clamd is back
    time_machine.shift(timedelta(seconds=61))
    run_worker()
    assert state(info) == "clean"
    assert content(fellow.get(url(info))) == b"texte"
    assert not TaskFailure.objects.exists()


@with_the_database_worker
@pytest.mark.django_db(transaction=True)
def test_a_scan_that_never_succeeds_is_shown_to_operators_and_the_file_stays_withheld(
    client_of: Any, clamd: Daemon, settings: Any, tmp_path: Any
) -> None:
    settings.SCANNER_ADDRESS = str(tmp_path / "clamd-is-down.sock")
    settings.TASK_RETRY_BASE_SECONDS, settings.TASK_MAX_ATTEMPTS = 0, 2
    member = RoomMemberFactory()
    room = member.room
    client = client_of(member.user)
    info = upload(client, room, "a.txt", b"texte").json()
    send(client, room, "t1", "", [info["id"]])
    run_worker()
    failure = TaskFailure.objects.get()
    assert failure.task.endswith("scan_stored_file") and failure.attempts == 2
    assert "cannot be reached" in failure.error
    assert state(info) == "failed"
    assert client_of(RoomMemberFactory(room=room).user).get(url(info)).status_code == 423


def test_who_may_download_a_pending_or_infected_file(client_of: Any, clamd: Daemon) -> None:
    """Without a worker the clean file stays pending; the infected one is set as its scan
    leaves it (the scan itself: the tests above)."""
    room = RoomFactory(kind=RoomKind.EXTERNAL)
    uploader = RoomMemberFactory(room=room).user
    people = {
        "uploader": uploader,
        "member": RoomMemberFactory(room=room).user,
        "external member": RoomMemberFactory(
            room=room, user=UserFactory(organisation=None, is_external=True)
        ).user,
        "banned member": RoomMemberFactory(room=room, banned=True).user,
        "non-member": UserFactory(organisation=room.organisation),
        "other organisation": UserFactory(),
    }
    clients = {who: client_of(person) for who, person in people.items()}
    clients["anonymous"] = Client()
    files = {}
    for name, data in [("pending", b"texte"), ("infected", EICAR)]:
        files[name] = upload(clients["uploader"], room, f"{name}.txt", data).json()
        send(clients["uploader"], room, name, "", [files[name]["id"]])
    Attachment.objects.filter(pk=files["infected"]["id"]).update(
        scan="infected", scan_signature=FOUND_AS
    )
    answers = {
        who: (
            client.get(url(files["pending"])).status_code,
            client.get(url(files["infected"])).status_code,
        )
        for who, client in clients.items()
    }
    assert answers == {
        "uploader": (200, 403),
        "member": (423, 403),
        "external member": (423, 403),
        "banned member": (404, 404),
        "non-member": (404, 404),
        "other organisation": (404, 404),
        "anonymous": (401, 401),
    }
