"""Retention deletes old messages (and their events); export gives the history for archiving."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ensemble.chat.actions.messages import delete_message
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import Message, RoomRole
from ensemble.chat.tasks import apply_retention
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.models import AuditEntry, StreamEvent

pytestmark = pytest.mark.django_db


def test_retention_deletes_old_messages_and_their_events(client_of: Any, time_machine: Any) -> None:
    admin = RoomMemberFactory(role=RoomRole.ADMIN)
    room = admin.room
    time_machine.move_to(timezone.now() - timedelta(days=40), tick=False)
    send_message(admin.user, room, "old", "ancien secret")
    time_machine.move_to(timezone.now() + timedelta(days=40), tick=False)
    send_message(admin.user, room, "new", "récent")
    client = client_of(admin.user)
    response = client.post(
        f"/api/v1/chat/rooms/{room.pk}/retention/", {"days": 30}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["retention_days"] == 30
    assert apply_retention.call() == {"deleted": 1}
    assert list(Message.objects.values_list("body", flat=True)) == ["récent"]
    assert not StreamEvent.objects.filter(
        stream=room.stream, payload__body="ancien secret"
    ).exists()
    member = client_of(RoomMemberFactory(room=room).user)
    assert (
        member.post(
            f"/api/v1/chat/rooms/{room.pk}/retention/", {"days": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/chat/rooms/{room.pk}/retention/", {"days": 0}, content_type="application/json"
        ).status_code
        == 400
    )


def test_export_as_json_and_readable_html(client_of: Any) -> None:
    admin = RoomMemberFactory(role=RoomRole.ADMIN)
    room = admin.room
    send_message(admin.user, room, "1", "**bonjour** <script>x</script>")
    deleted, _created = send_message(admin.user, room, "2", "oups")
    delete_message(admin.user, deleted)
    client = client_of(admin.user)
    raw = client.get(f"/api/v1/chat/rooms/{room.pk}/export/")
    body = json.loads(b"".join(raw.streaming_content))
    assert body["room"]["name"] == room.name
    assert [m["body"] for m in body["messages"]] == ["**bonjour** <script>x</script>", ""]
    page = b"".join(client.get(f"/api/v1/chat/rooms/{room.pk}/export/?as=html").streaming_content)
    assert b"<strong>bonjour</strong>" in page and b"<script>" not in page and b"(deleted)" in page
    assert AuditEntry.objects.filter(action="chat.room_exported").count() == 2
    member = client_of(RoomMemberFactory(room=room).user)
    assert member.get(f"/api/v1/chat/rooms/{room.pk}/export/").status_code == 403
    assert client.get(f"/api/v1/chat/rooms/{room.pk}/export/?as=pdf").status_code == 400
