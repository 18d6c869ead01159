"""Link previews: a message linking to a meeting of the suite shows its card to readers who
may see it; other apps plug their objects into the same registry (core/previews.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core import previews
from ensemble.meet.models import Access, Meeting

pytestmark = pytest.mark.django_db


def cards(client: Client, message: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/chat/messages/{message.pk}/previews/")
    assert response.status_code == 200, response.content
    return list(response.json())


def test_a_meeting_link_shows_its_card(client_of: Any, settings: Any) -> None:
    settings.SITE_URL = "https://ensemble.example.gouv.fr"
    room = RoomFactory(kind=RoomKind.PRIVATE)
    writer, reader = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    start = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    meeting = Meeting.objects.create(title="Comité de pilotage", starts_at=start)
    ended = Meeting.objects.create(title="Point passé", ended_at=timezone.now())
    text = (
        f"Rendez-vous sur https://ensemble.example.gouv.fr/meet/{meeting.code}/, "
        f"pas /meet/{ended.code} ni https://ailleurs.example.com/meet/{meeting.code}/ "
        f"(ni /meet/aaa-aaaa-aaa/ qui n'existe pas) et encore /meet/{meeting.code}"
    )
    message, _new = send_message(writer, room, "1", text)
    shown = cards(client_of(reader), message)
    assert [(c["title"], c["action"]) for c in shown] == [
        ("Comité de pilotage", "Join"),
        ("Point passé", ""),  # ended: nothing to join
    ]
    assert shown[0]["url"] == f"https://ensemble.example.gouv.fr/meet/{meeting.code}/"
    assert datetime.fromisoformat(shown[0]["time"]) == start
    assert shown[1]["subtitle"] == "This meeting has ended."


def test_an_invited_only_meeting_offers_no_join_to_others(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    writer, reader = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    meeting = Meeting.objects.create(title="Restreinte", access=Access.INVITED)
    message, _new = send_message(writer, room, "1", f"/meet/{meeting.code}/")
    assert [(c["title"], c["action"]) for c in cards(client_of(reader), message)] == [
        ("Restreinte", "")
    ]


@pytest.fixture
def documents() -> Iterator[list[Any]]:
    """Another app's objects, registered as Docs will register its documents."""
    asked: list[Any] = []

    def resolve(reader: Any, match: re.Match[str]) -> previews.Card | None:
        asked.append(reader)
        if match.group("id") == "secret":  # a document the reader may not see
            return None
        return previews.Card(kind="document", url=match.group(0), title=f"Doc {match['id']}")

    previews.register("document", r"/docs/(?P<id>\w+)/", resolve)
    yield asked
    del previews.KINDS["document"]


def test_apps_plug_their_objects_in_and_refuse_what_the_reader_may_not_see(
    documents: list[Any], client_of: Any
) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    writer, reader = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    message, _new = send_message(writer, room, "1", "Voir /docs/plan/ et /docs/secret/")
    assert [card["title"] for card in cards(client_of(reader), message)] == ["Doc plan"]
    assert documents == [reader, reader]


def test_thousands_of_links_cost_a_bounded_number_of_queries(client_of: Any) -> None:
    """A long message full of links to meetings that do not exist: the first ten distinct
    objects are looked up, no more (a real meeting linked after them gets no card)."""
    room = RoomFactory(kind=RoomKind.PRIVATE)
    writer, reader = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    client = client_of(reader)
    meeting = Meeting.objects.create(title="Après les autres")
    letters = "abcdefghjkmnpqrstuvwxyz"

    def bogus(n: int) -> str:
        return f"/meet/{letters[n % 23]}{letters[n // 23 % 23]}a-aaaa-{letters[n // 529 % 23]}aa/"

    first = send_message(writer, room, "1", f"/meet/{meeting.code}/")[0]
    one = len(queries_of(client, first))
    body = " ".join(bogus(n) for n in range(3000)) + f" /meet/{meeting.code}/"
    assert len(body) < 64 * 1024
    many = send_message(writer, room, "2", body)[0]
    asked = queries_of(client, many)
    assert cards(client, many) == []  # the real meeting comes after ten others
    assert len(asked) <= one + previews.MAX_LOOKUPS * 2, len(asked)


def queries_of(client: Client, message: Any) -> list[Any]:
    with CaptureQueriesContext(connection) as done:
        cards(client, message)
    return list(done.captured_queries)


def test_who_may_ask_for_a_message_s_cards(client_of: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    writer = RoomMemberFactory(room=room).user
    message, _new = send_message(writer, room, "1", "/meet/aaa-aaaa-aaa/")
    url = f"/api/v1/chat/messages/{message.pk}/previews/"
    assert client_of(writer).get(url).status_code == 200
    assert client_of(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 401
