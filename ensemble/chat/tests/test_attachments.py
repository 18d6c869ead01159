"""Files in the chat: uploaded encrypted, sent with a message, read back by members only."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import Attachment, RoomRole
from ensemble.chat.tasks import apply_retention, delete_unsent_attachments
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.events import events_after

pytestmark = pytest.mark.django_db


def png(width: int = 1200, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(out, "PNG")
    return out.getvalue()


def upload(client: Client, room: Any, name: str, data: bytes, kind: str = "") -> Any:
    file = SimpleUploadedFile(name, data, content_type=kind or "application/octet-stream")
    return client.post(f"/api/v1/chat/rooms/{room.pk}/attachments/", {"file": file})


def send(client: Client, room: Any, txn: str, body: str, files: list[str]) -> Any:
    return client.post(
        f"/api/v1/chat/rooms/{room.pk}/messages/",
        {"txn_id": txn, "body": body, "attachments": files},
        content_type="application/json",
    )


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_picture_is_stored_encrypted_sent_and_read_back_with_a_thumbnail(
    client_of: Any, tmp_path: Path
) -> None:
    member = RoomMemberFactory()
    reader = RoomMemberFactory(room=member.room)
    client = client_of(member.user)
    picture = png()
    uploaded = upload(client, member.room, "photo du service.png", picture, "image/png")
    assert uploaded.status_code == 201, uploaded.content
    info = uploaded.json()
    assert (info["name"], info["size"], info["width"], info["height"]) == (
        "photo du service.png",
        len(picture),
        1200,
        800,
    )
    assert info["content_type"] == "image/png" and info["thumbnail"] is True
    stored = Attachment.objects.get(pk=info["id"])
    on_disk = (tmp_path / "media" / stored.file.name).read_bytes()
    assert picture[:64] not in on_disk and len(on_disk) > len(picture)  # encrypted at rest

    sent = send(client, member.room, "t1", "", [info["id"]])
    assert sent.status_code == 201, sent.content
    assert [file["id"] for file in sent.json()["attachments"]] == [info["id"]]
    event = events_after(member.room.stream, 0)[-1]
    assert event["payload"]["attachments"][0]["name"] == "photo du service.png"

    other = client_of(reader.user)
    full = other.get(f"/api/v1/chat/attachments/{info['id']}/content/")
    assert full.status_code == 200 and content(full) == picture
    assert full["Content-Type"] == "image/png" and full["X-Content-Type-Options"] == "nosniff"
    assert full["Content-Disposition"].startswith("inline")
    small = other.get(f"/api/v1/chat/attachments/{info['id']}/thumbnail/")
    with Image.open(io.BytesIO(content(small))) as thumbnail:
        assert thumbnail.size == (480, 320)


def test_a_document_is_always_downloaded_never_shown_as_a_page(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    page = b"<html><script>alert(document.cookie)</script></html>"
    info = upload(client, member.room, "../../etc/rapport.html", page, "text/html").json()
    assert info["name"] == "rapport.html" and info["thumbnail"] is False
    send(client, member.room, "t1", "Le rapport", [info["id"]])
    response = client.get(f"/api/v1/chat/attachments/{info['id']}/content/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert content(response) == page
    assert client.get(f"/api/v1/chat/attachments/{info['id']}/thumbnail/").status_code == 404


def test_a_file_that_claims_to_be_a_picture_but_is_not_is_not_shown_inline(
    client_of: Any,
) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    info = upload(client, member.room, "chat.png", b"<svg onload=alert(1)>", "image/png").json()
    assert info["content_type"] == "application/octet-stream" and info["thumbnail"] is False


def test_a_corrupt_picture_is_kept_as_a_file_without_thumbnail(client_of: Any) -> None:
    member = RoomMemberFactory()
    broken = png()[:300]
    info = upload(client_of(member.user), member.room, "cassé.png", broken, "image/png").json()
    assert info["thumbnail"] is False and info["size"] == 300


def test_the_size_limit_is_a_clear_413(client_of: Any, settings: Any) -> None:
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1_000_000
    member = RoomMemberFactory()
    response = upload(client_of(member.user), member.room, "big.bin", b"x" * 1_000_001)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "This file is larger than 1 MB, the largest this server accepts."
    )
    assert Attachment.objects.count() == 0


def test_an_empty_file_or_no_file_is_a_400(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    assert upload(client, member.room, "vide.txt", b"").status_code == 400
    missing = client.post(f"/api/v1/chat/rooms/{member.room.pk}/attachments/", {})
    assert missing.status_code == 400 and "file" in missing.json()


def test_who_may_upload_and_who_may_read(client_of: Any) -> None:
    member = RoomMemberFactory()
    stranger = UserFactory()
    info = upload(client_of(member.user), member.room, "a.txt", b"secret").json()
    url = f"/api/v1/chat/attachments/{info['id']}/content/"
    # Before it is sent, only its uploader sees it.
    fellow = RoomMemberFactory(room=member.room)
    assert client_of(fellow.user).get(url).status_code == 404
    send(client_of(member.user), member.room, "t1", "voici", [info["id"]])
    assert client_of(fellow.user).get(url).status_code == 200
    assert client_of(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    assert upload(client_of(stranger), member.room, "b.txt", b"x").status_code == 404
    assert Client().post(f"/api/v1/chat/rooms/{member.room.pk}/attachments/").status_code == 401


def test_a_forum_reader_reads_files_but_cannot_upload(client_of: Any) -> None:
    room = RoomFactory(kind="forum")
    admin = RoomMemberFactory(room=room, role=RoomRole.ADMIN)
    reader = UserFactory(organisation=room.organisation)
    info = upload(client_of(admin.user), room, "a.txt", b"pour tous").json()
    send(client_of(admin.user), room, "t1", "voici", [info["id"]])
    client = client_of(reader)
    assert content(client.get(f"/api/v1/chat/attachments/{info['id']}/content/")) == b"pour tous"
    assert upload(client, room, "b.txt", b"x").status_code == 403


def test_a_file_is_sent_once_in_its_own_room_by_its_uploader(client_of: Any) -> None:
    member = RoomMemberFactory()
    fellow = RoomMemberFactory(room=member.room)
    elsewhere = RoomMemberFactory(user=member.user)
    client = client_of(member.user)
    info = upload(client, member.room, "a.txt", b"un").json()
    assert send(client, elsewhere.room, "t0", "", [info["id"]]).status_code == 400
    assert send(client_of(fellow.user), member.room, "t1", "", [info["id"]]).status_code == 400
    assert send(client, member.room, "t2", "", [info["id"]]).status_code == 201
    assert send(client, member.room, "t3", "encore", [info["id"]]).status_code == 400
    assert send(client, member.room, "t4", "", []).status_code == 400  # empty, no file


def test_deleting_the_message_deletes_its_files(
    client_of: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    info = upload(client, member.room, "photo.png", png(), "image/png").json()
    message = send(client, member.room, "t1", "", [info["id"]]).json()
    stored = Attachment.objects.get(pk=info["id"])
    paths = [tmp_path / "media" / stored.file.name, tmp_path / "media" / stored.thumbnail.name]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/chat/messages/{message['id']}/").status_code == 204
    assert not any(path.exists() for path in paths)
    assert client.get(f"/api/v1/chat/attachments/{info['id']}/content/").status_code == 404
    assert client.get(f"/api/v1/chat/messages/{message['id']}/").json()["attachments"] == []


def test_unsent_files_go_after_a_day_and_retention_takes_files_too(
    client_of: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    member = RoomMemberFactory()
    client = client_of(member.user)
    kept = upload(client, member.room, "gardé.txt", b"1").json()
    send(client, member.room, "t1", "", [kept["id"]])
    upload(client, member.room, "oublié.txt", b"2")
    time_machine.shift(timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_unsent_attachments.call() == {"deleted": 1}
    assert list(Attachment.objects.values_list("name", flat=True)) == ["gardé.txt"]
    member.room.retention_days = 1
    member.room.save()
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention.call()
    assert Attachment.objects.count() == 0


def test_a_transparent_picture_keeps_a_transparent_png_thumbnail(client_of: Any) -> None:
    member = RoomMemberFactory()
    client = client_of(member.user)
    out = io.BytesIO()
    Image.new("RGBA", (900, 900), (0, 0, 145, 0)).save(out, "PNG")
    info = upload(client, member.room, "logo.png", out.getvalue(), "image/png").json()
    send(client, member.room, "t1", "", [info["id"]])
    small = client.get(f"/api/v1/chat/attachments/{info['id']}/thumbnail/")
    assert small["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(content(small))) as thumbnail:
        assert thumbnail.mode == "RGBA" and thumbnail.size == (480, 480)
