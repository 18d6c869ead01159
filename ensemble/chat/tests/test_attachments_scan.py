"""Files sent in the chat are scanned for malware by a real clamd (the test session's, with an
EICAR signature) before anyone but their uploader may download them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Attachment, RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.chat.tests.test_attachments import content, png, send, upload
from ensemble.core.models import AuditEntry, TaskFailure
from ensemble.core.tests.clamav import EICAR, FOUND_AS, Daemon

pytestmark = pytest.mark.django_db

PENDING = "This file is being checked for malware; try again in a moment."
FAILED = "This file could not be checked for malware yet; it will be tried again."
MALWARE = "This file contains malware: nobody may download it."


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """``with committed():`` runs what waits for the commit (the scan job) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def url(info: dict[str, Any], what: str = "content") -> str:
    return f"/api/v1/chat/attachments/{info['id']}/{what}/"


def state(info: dict[str, Any]) -> str:
    return str(Attachment.objects.get(pk=info["id"]).scan)


def test_a_clean_file_is_downloadable_by_others_once_scanned(
    client_of: Any, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    member = RoomMemberFactory()
    fellow = client_of(RoomMemberFactory(room=member.room).user)
    client = client_of(member.user)
    with committed():
        info = upload(client, member.room, "note.txt", b"Ordre du jour").json()
    assert state(info) == "clean"
    message = send(client, member.room, "t1", "", [info["id"]]).json()
    assert message["attachments"][0]["scan"] == "clean"
    assert content(fellow.get(url(info))) == b"Ordre du jour"
    assert fellow.get(f"/api/v1/chat/attachments/{info['id']}/").json()["scan"] == "clean"


def test_malware_is_refused_to_everyone_and_its_uploader_learns_its_name(
    client_of: Any, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    member = RoomMemberFactory()
    fellow = client_of(RoomMemberFactory(room=member.room).user)
    client = client_of(member.user)
    with committed():
        info = upload(client, member.room, "facture.pdf", b"%PDF-1.4\n" + EICAR).json()
    assert state(info) == "infected"
    assert Attachment.objects.get(pk=info["id"]).scan_signature == FOUND_AS
    send(client, member.room, "t1", "la facture", [info["id"]])
    own = client.get(url(info))
    assert own.status_code == 403
    assert own.json()["detail"] == (
        f"This file contains malware ({FOUND_AS}): nobody may download it."
    )
    other = fellow.get(url(info))
    assert (other.status_code, other.json()["detail"]) == (403, MALWARE)
    french = client_of(RoomMemberFactory(room=member.room, user__language="fr").user)
    assert french.get(url(info)).json()["detail"] == (
        "Ce fichier contient un logiciel malveillant : personne ne peut le télécharger."
    )
    entry = AuditEntry.objects.get(action="files.malware_found")
    assert (entry.target_id, entry.data) == (info["id"], {"signature": FOUND_AS})


def test_a_picture_with_malware_has_no_thumbnail_either(
    client_of: Any, clamd: Daemon, immediate_tasks: None, committed: Any
) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    with committed():
        info = upload(client, member.room, "photo.png", png(64, 64) + EICAR, "image/png").json()
    assert info["thumbnail"] is True and state(info) == "infected"
    assert client.get(url(info, "thumbnail")).status_code == 403


def test_a_file_waiting_for_its_scan_is_only_for_its_uploader(
    client_of: Any, clamd: Daemon
) -> None:
    """Without a worker, the scan job waits in the queue: the file stays pending."""
    member = RoomMemberFactory()
    fellow = client_of(RoomMemberFactory(room=member.room).user)
    client = client_of(member.user)
    info = upload(client, member.room, "photo.png", png(64, 64), "image/png").json()
    assert info["scan"] == "pending"
    send(client, member.room, "t1", "", [info["id"]])
    assert content(client.get(url(info))) == png(64, 64)
    refused = fellow.get(url(info))
    assert (refused.status_code, refused.json()["detail"]) == (423, PENDING)
    french = client_of(RoomMemberFactory(room=member.room, user__language="fr").user)
    assert french.get(url(info)).json()["detail"] == (
        "Ce fichier est en cours de vérification antivirus ; réessayez dans un instant."
    )
    # The thumbnail is made by Ensemble from the picture's pixels: shown while it waits.
    assert fellow.get(url(info, "thumbnail")).status_code == 200


def test_without_a_scanner_files_are_served_and_marked_unscanned(
    client_of: Any, settings: Any
) -> None:
    assert settings.SCANNER_ADDRESS == "off"  # the tests' default, as an install without ClamAV
    member = RoomMemberFactory()
    client = client_of(member.user)
    info = upload(client, member.room, "a.txt", b"texte").json()
    assert info["scan"] == "unscanned" and state(info) == "unscanned"
    send(client, member.room, "t1", "", [info["id"]])
    assert client_of(RoomMemberFactory(room=member.room).user).get(url(info)).status_code == 200


def test_a_file_larger_than_the_scanner_takes_is_unscanned(
    client_of: Any, clamd: Daemon, settings: Any, immediate_tasks: None, committed: Any
) -> None:
    settings.SCANNER_MAX_BYTES = 100
    member = RoomMemberFactory()
    with committed():
        info = upload(client_of(member.user), member.room, "big.bin", b"x" * 101).json()
    assert state(info) == "unscanned"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_clamd_down_leaves_the_file_failed_retried_and_never_served_as_clean(
    client_of: Any, clamd: Daemon, settings: Any, time_machine: Any, tmp_path: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    settings.SCANNER_ADDRESS = str(tmp_path / "clamd-is-down.sock")
    settings.TASK_RETRY_BASE_SECONDS = 60
    member = RoomMemberFactory()
    fellow = client_of(RoomMemberFactory(room=member.room).user)
    client = client_of(member.user)
    info = upload(client, member.room, "a.txt", b"texte").json()
    send(client, member.room, "t1", "", [info["id"]])
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


@pytest.mark.django_db(transaction=True)
def test_a_scan_that_never_succeeds_is_shown_to_operators_and_the_file_stays_withheld(
    client_of: Any, clamd: Daemon, settings: Any, tmp_path: Any
) -> None:
    settings.SCANNER_ADDRESS = str(tmp_path / "clamd-is-down.sock")
    settings.TASK_RETRY_BASE_SECONDS, settings.TASK_MAX_ATTEMPTS = 0, 2
    member = RoomMemberFactory()
    client = client_of(member.user)
    info = upload(client, member.room, "a.txt", b"texte").json()
    send(client, member.room, "t1", "", [info["id"]])
    run_worker()
    failure = TaskFailure.objects.get()
    assert failure.task.endswith("scan_stored_file") and failure.attempts == 2
    assert "cannot be reached" in failure.error
    assert state(info) == "failed"
    assert client_of(RoomMemberFactory(room=member.room).user).get(url(info)).status_code == 423


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
