"""Assist's API: writing help streamed from the endpoint, summaries of what one may read (a
document, a chat room's unread messages), the organisation's switches, clear refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.assist.models import AssistSettings
from ensemble.assist.tests.openai_double import Double, running
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind, RoomMember
from ensemble.chat.tests.factories import RoomFactory
from ensemble.core.abilities import Role
from ensemble.docs import changes, content
from ensemble.docs.tests.factories import document, share, signed_in

pytestmark = pytest.mark.django_db

API = "/api/v1/assist/"
MEETING_NOTES = (
    "<h1>Réunion de service</h1>"
    "<p>Le budget de la piscine municipale dépasse de 12 % la prévision initiale.</p>"
    "<p>Le budget de la piscine doit être revu avant le conseil municipal de mars.</p>"
    "<p>Il manque trois animateurs au centre de loisirs pour la rentrée scolaire.</p>"
    "<p>Les animateurs du centre de loisirs seront recrutés en juillet.</p>"
)


@pytest.fixture
def double(settings: Any) -> Iterator[Double]:
    with running() as server:
        settings.ASSIST_LLM_URL, settings.ASSIST_LLM_MODEL = server.url, "albert-large"
        yield server


@pytest.fixture
def offline(settings: Any) -> None:
    settings.ASSIST_LLM_URL = ""


async def collected(response: Any) -> list[bytes]:
    return [piece async for piece in response.streaming_content]


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


def test_what_assist_offers(double: Double, settings: Any) -> None:
    agent = UserFactory()
    assert signed_in(agent).get(API).json() == {
        "model": True, "summaries": True, "writing": True, "transcription": True,
    }  # fmt: skip
    AssistSettings.objects.create(organisation=agent.organisation, writing=False)
    settings.ASSIST_LLM_URL = ""
    assert signed_in(agent).get(API).json() == {
        "model": False, "summaries": True, "writing": False, "transcription": True,
    }  # fmt: skip
    assert Client().get(API).status_code in (401, 403)


def test_writing_help_streams_the_proposal(double: Double) -> None:
    double.answer = lambda system, user: "Le budget de la piscine sera revu en mars."
    answer = post(signed_in(UserFactory()), "rewrite/", {"action": "correct", "text": "le budjet"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    assert answer.is_async  # sent piece by piece under ASGI, not read whole first
    pieces = [piece.decode() for piece in async_to_sync(collected)(answer)]
    assert len(pieces) > 1 and "".join(pieces) == "Le budget de la piscine sera revu en mars."
    assert double.requests[-1]["messages"][1]["content"] == "le budjet"


def test_writing_help_refusals_are_clear(double: Double, settings: Any) -> None:
    agent = UserFactory()
    client = signed_in(agent)
    bad = post(client, "rewrite/", {"action": "poem", "text": "x"})
    assert bad.status_code == 400 and "action" in bad.json()
    too_long = post(client, "rewrite/", {"action": "correct", "text": "x" * 20_001})
    assert too_long.status_code == 400
    double.status = 500
    failed = post(client, "rewrite/", {"action": "correct", "text": "texte"})
    assert failed.status_code == 502 and "500" in failed.json()["detail"]
    settings.ASSIST_LLM_URL = ""
    unset = post(client, "rewrite/", {"action": "correct", "text": "texte"})
    assert unset.status_code == 503 and "ASSIST_LLM_URL" in unset.json()["detail"]
    AssistSettings.objects.create(organisation=agent.organisation, writing=False)
    off = post(client, "rewrite/", {"action": "correct", "text": "texte"})
    assert off.status_code == 403 and "turned this feature off" in off.json()["detail"]


@pytest.mark.usefixtures("offline")
def test_a_document_summary_offline_names_the_sentences_it_kept() -> None:
    doc = document(title="Réunion")
    changes.replace(doc, doc.creator, content.from_html(MEETING_NOTES))
    reader = share(doc, Role.READER)
    answer = post(signed_in(reader), "summaries/", {"document": str(doc.pk)})
    assert answer.status_code == 200, answer.json()
    summary = answer.json()
    assert summary["by_model"] is False and summary["parts"] == 5
    kept = summary["kept"]
    assert 1 <= len(kept) <= 2
    assert any("piscine" in sentence["text"] or "loisirs" in sentence["text"] for sentence in kept)
    assert summary["text"] == " ".join(sentence["text"] for sentence in kept)
    for person in (UserFactory(organisation=doc.organisation), UserFactory()):
        refused = post(signed_in(person), "summaries/", {"document": str(doc.pk)})
        assert refused.status_code == 404  # not theirs to read: nothing said of it


def test_a_document_summary_by_the_model(double: Double) -> None:
    doc = document()
    changes.replace(doc, doc.creator, content.from_html(MEETING_NOTES))
    double.answer = lambda system, user: "Budget de la piscine à revoir ; recrutements."
    summary = post(signed_in(doc.creator), "summaries/", {"document": str(doc.pk)}).json()
    assert summary == {
        "text": "Budget de la piscine à revoir ; recrutements.", "by_model": True, "kept": [],
        "parts": 5,
    }  # fmt: skip
    assert "piscine municipale" in double.requests[-1]["messages"][1]["content"]


@pytest.mark.usefixtures("offline")
def test_a_chat_room_summary_covers_my_unread_messages_only() -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    lea, paul, stranger, banned = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for person in (lea, paul):
        RoomMember.objects.create(room=room, user=person)
    RoomMember.objects.create(room=room, user=banned, banned=True)
    send_message(lea, room, "a", "Le vieux sujet du parking est réglé depuis longtemps.")
    RoomMember.objects.filter(room=room, user=paul).update(last_read_seq=1)
    for n, text in enumerate(
        [
            "Le budget de la piscine municipale dépasse la prévision initiale.",
            "Le budget de la piscine doit être revu avant le conseil de mars.",
            "Il manque trois animateurs au centre de loisirs pour la rentrée.",
        ]
    ):
        send_message(lea, room, f"m{n}", text)
    send_message(paul, room, "p1", "Merci Léa, je regarde le budget de la piscine demain.")
    summary = post(signed_in(paul), "summaries/", {"room": str(room.pk)}).json()
    assert summary["parts"] == 3  # Léa's three Paul has not read: not the parking, not his
    assert all("parking" not in sentence["text"] for sentence in summary["kept"])
    assert all(sentence["text"].startswith(str(lea)) for sentence in summary["kept"])
    for person in (stranger, banned):
        refused = post(signed_in(person), "summaries/", {"room": str(room.pk)})
        assert refused.status_code == 404
    both = post(signed_in(paul), "summaries/", {"room": str(room.pk), "document": str(room.pk)})
    assert both.status_code == 400
    assert post(signed_in(paul), "summaries/", {}).status_code == 400


@pytest.mark.usefixtures("offline")
def test_summaries_switched_off_by_the_organisation_of_the_reader_or_of_the_content() -> None:
    doc = document()
    AssistSettings.objects.create(organisation=doc.creator.organisation, summaries=False)
    refused = post(signed_in(doc.creator), "summaries/", {"document": str(doc.pk)})
    assert refused.status_code == 403
    # Someone of another organisation (or of none) it was shared with: its holder said no.
    for outsider in (UserFactory(), UserFactory(organisation=None, is_external=True)):
        share(doc, Role.READER, user=outsider)
        refused = post(signed_in(outsider), "summaries/", {"document": str(doc.pk)})
        assert refused.status_code == 403, refused.json()
        assert "turned summaries off" in refused.json()["detail"]
