"""The chat page: a shell for members and readers of a room, nothing for anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def test_a_member_gets_the_page_of_the_room(client_of: Any) -> None:
    member = RoomMemberFactory()
    response = client_of(member.user).get(f"/chat/{member.room.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-room="{member.room.pk}"' in page and "dist/chat.js" in page
    assert 'id="chat-strings"' in page


def test_the_page_is_in_the_readers_language(client_of: Any) -> None:
    member = RoomMemberFactory(user__language="fr")
    page = client_of(member.user).get(f"/chat/{member.room.pk}/").content.decode()
    assert "Joindre des fichiers" in page and "{n} en ligne" in page


def test_colleagues_read_a_forum_and_nobody_else_sees_a_private_room(client_of: Any) -> None:
    forum = RoomFactory(kind=RoomKind.FORUM)
    colleague = UserFactory(organisation=forum.organisation)
    assert client_of(colleague).get(f"/chat/{forum.pk}/").status_code == 200
    private = RoomMemberFactory().room
    assert client_of(colleague).get(f"/chat/{private.pk}/").status_code == 404
    assert client_of(UserFactory()).get(f"/chat/{forum.pk}/").status_code == 404
    banned = RoomMemberFactory(room=private, banned=True)
    assert client_of(banned.user).get(f"/chat/{private.pk}/").status_code == 404
    assert client_of(colleague).get("/chat/not-a-room/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get("/chat/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_portal_offers_the_chat(client_of: Any) -> None:
    page = client_of(UserFactory()).get("/").content.decode()
    assert 'href="/chat/"' in page


def test_preview_renders_like_a_message_and_refuses_what_a_message_would(
    client_of: Any,
) -> None:
    client = client_of(UserFactory())
    url = "/api/v1/chat/rooms/preview/"
    shown = client.post(url, {"body": "**gras** <script>x</script>"}, "application/json")
    assert shown.json() == {"html": "<p><strong>gras</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"}
    too_long = client.post(url, {"body": "x" * 70000}, "application/json")
    assert too_long.status_code == 413
    assert Client().post(url, {"body": "x"}, "application/json").status_code == 401
