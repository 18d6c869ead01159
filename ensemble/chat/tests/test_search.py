"""Search in the rooms one may read (FTS5 on SQLite, full-text search on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.messages import delete_message, edit_message
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db


def search(client: Any, query: str) -> Any:
    return client.get("/api/v1/chat/rooms/search/", {"q": query})


def test_finds_words_in_readable_rooms_only(client_of: Any) -> None:
    me = RoomMemberFactory()
    mine = me.room
    send_message(me.user, mine, "1", "Le budget de la piscine est voté")
    send_message(me.user, mine, "2", "Réunion sur la cantine demain")
    secret = RoomMemberFactory()
    send_message(secret.user, secret.room, "3", "budget secret de la piscine")
    forum = RoomFactory(kind=RoomKind.FORUM, organisation=me.user.organisation)
    writer = RoomMemberFactory(room=forum)
    send_message(writer.user, forum, "4", "Piscine: horaires d'été")
    client = client_of(me.user)
    found = search(client, "piscine").json()
    assert sorted(m["body"] for m in found) == [
        "Le budget de la piscine est voté",
        "Piscine: horaires d'été",
    ]
    both = search(client, "budget piscine").json()
    assert [m["body"] for m in both] == ["Le budget de la piscine est voté"]
    only_forum = client.get("/api/v1/chat/rooms/search/", {"q": "piscine", "room": str(forum.pk)})
    assert [m["body"] for m in only_forum.json()] == ["Piscine: horaires d'été"]


def test_edits_and_deletions_are_searched_as_they_are_now(client_of: Any) -> None:
    me = RoomMemberFactory()
    message, _created = send_message(me.user, me.room, "1", "ancien texte")
    edit_message(me.user, message, "nouveau texte")
    client = client_of(me.user)
    assert search(client, "ancien").json() == []
    assert len(search(client, "nouveau").json()) == 1
    delete_message(me.user, message)
    assert search(client, "nouveau").json() == []


def test_query_syntax_cannot_break_the_search(client_of: Any) -> None:
    me = RoomMemberFactory()
    send_message(me.user, me.room, "1", 'quote " and NEAR(x) OR * stars')
    client = client_of(me.user)
    for query in ['"', "NEAR(x", "* OR", "a' OR 1=1 --", "é"]:
        response = search(client, query)
        assert response.status_code in (200, 400), query
    assert search(client, "x").status_code == 400
    assert search(client, "piscine").json() == []
    assert client.get("/api/v1/chat/rooms/search/", {"q": "abc", "room": "nope"}).status_code == 400
    assert client_of(UserFactory()).get("/api/v1/chat/rooms/search/", {"q": "quote"}).json() == []
