"""A room's avatar: set by moderators as a small picture, read by whoever reads the room."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory

pytestmark = pytest.mark.django_db


def picture(size: tuple[int, int] = (1000, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 99, 203)).save(out, "JPEG")
    return SimpleUploadedFile("logo.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_moderator_sets_the_avatar_and_members_see_it(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    moderator = RoomMemberFactory(role=RoomRole.MODERATOR)
    member = RoomMemberFactory(room=moderator.room)
    url = f"/api/v1/chat/rooms/{moderator.room.pk}/avatar/"
    answer = client_of(moderator.user).post(url, {"file": picture()})
    assert answer.status_code == 200 and answer.json()["avatar"] == url
    shown = client_of(member.user).get(url)
    with Image.open(io.BytesIO(b"".join(shown.streaming_content))) as image:
        assert image.size == (256, 154)
    assert client_of(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        removed = client_of(moderator.user).delete(url)
    assert removed.json()["avatar"] is None
    assert client_of(member.user).get(url).status_code == 404


def test_members_cannot_change_it_and_only_pictures_are_taken(client_of: Any) -> None:
    moderator = RoomMemberFactory(role=RoomRole.MODERATOR)
    member = RoomMemberFactory(room=moderator.room)
    url = f"/api/v1/chat/rooms/{moderator.room.pk}/avatar/"
    assert client_of(member.user).post(url, {"file": picture()}).status_code == 403
    fake = SimpleUploadedFile("x.png", b"<svg/>", content_type="image/png")
    refused = client_of(moderator.user).post(url, {"file": fake})
    assert refused.status_code == 400 and "picture" in refused.json()["detail"]
    assert client_of(moderator.user).post(url, {}).status_code == 400
