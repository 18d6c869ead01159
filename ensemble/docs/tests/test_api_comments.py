"""Comments: anchored to a passage, threads, mentions told through notifications, resolve and
reopen, who may write, change and delete them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.abilities import Role
from ensemble.docs.tests.factories import document, share, signed_in
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db

API = "/api/v1/docs/documents/"


def post(client: Client, doc: Any, **body: Any) -> Any:
    return client.post(f"{API}{doc.pk}/comments/", body, content_type="application/json")


def test_a_comment_on_a_passage_a_reply_and_who_is_told() -> None:
    doc = document(title="Rapport")
    commenter = share(doc, Role.COMMENTER)
    named = share(doc, Role.READER)
    outsider = UserFactory(organisation=OrganisationFactory())
    made = post(
        signed_in(commenter),
        doc,
        body="Chiffre à vérifier",
        anchor_start="AQLm",
        anchor_end="AQLn",
        quote="12 %",
        mentions=[str(named.pk), str(outsider.pk)],
    )
    assert made.status_code == 201, made.json()
    thread = made.json()
    assert thread["quote"] == "12 %" and thread["anchor_start"] == "AQLm"
    assert thread["mentions"] == [str(named.pk)]  # not someone who cannot open the document
    told = Notification.objects.get(recipient=named)
    assert "mentioned you" in told.title and "Rapport" in told.title
    assert told.url == f"/docs/{doc.pk}/#comment-{thread['id']}"
    assert not Notification.objects.filter(recipient=outsider).exists()
    reply = post(signed_in(doc.creator), doc, body="Vérifié : 12,4 %", thread=thread["id"])
    assert reply.status_code == 201
    assert Notification.objects.filter(recipient=commenter, title__contains="replied").exists()
    listed = signed_in(named).get(f"{API}{doc.pk}/comments/").json()
    assert [c["body"] for c in listed] == ["Chiffre à vérifier"]
    assert [r["body"] for r in listed[0]["replies"]] == ["Vérifié : 12,4 %"]


def test_mention_notices_are_in_the_reader_s_language() -> None:
    doc = document(title="Rapport")
    french = UserFactory(organisation=doc.organisation, language="fr")
    share(doc, Role.READER, user=french)
    post(signed_in(doc.creator), doc, body="Pour avis", mentions=[str(french.pk)])
    assert "vous a mentionné" in Notification.objects.get(recipient=french).title


def test_resolve_reopen_edit_and_delete() -> None:
    doc = document()
    commenter = share(doc, Role.COMMENTER)
    reader = share(doc, Role.READER)
    thread = post(signed_in(commenter), doc, body="Une question").json()
    url = f"{API}{doc.pk}/comments/{thread['id']}/"
    patch = {"content_type": "application/json"}
    assert signed_in(reader).patch(url, {"resolved": True}, **patch).status_code == 403
    resolved = signed_in(doc.creator).patch(url, {"resolved": True}, **patch)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    # A reply reopens the thread.
    post(signed_in(commenter), doc, body="Encore une chose", thread=thread["id"])
    assert signed_in(reader).get(f"{API}{doc.pk}/comments/").json()[0]["resolved_at"] is None
    assert signed_in(doc.creator).patch(url, {"body": "changé"}, **patch).status_code == 403
    edited = signed_in(commenter).patch(url, {"body": "Une question précise"}, **patch)
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert signed_in(reader).delete(url).status_code == 403
    assert signed_in(doc.creator).delete(url).status_code == 204  # its administrator
    assert signed_in(reader).get(f"{API}{doc.pk}/comments/").json() == []


def test_who_may_comment_and_bad_comments() -> None:
    doc = document()
    reader = share(doc, Role.READER)
    assert post(signed_in(reader), doc, body="Non").status_code == 403
    owner = signed_in(doc.creator)
    assert post(owner, doc, body="   ").status_code == 400
    assert post(owner, doc, body="x" * 10_001).status_code == 400
    other = document()
    stray = post(signed_in(other.creator), other, body="ailleurs").json()
    assert post(owner, doc, body="réponse", thread=stray["id"]).status_code == 400
    assert post(owner, doc, body="x", mentions=["not-an-id"]).status_code == 400


def test_a_thread_others_replied_to_is_deleted_by_administrators_only() -> None:
    """Deleting a thread deletes its replies: its author alone may not delete others' words."""
    doc = document()
    commenter = share(doc, Role.COMMENTER)
    other = share(doc, Role.COMMENTER)
    thread = post(signed_in(commenter), doc, body="Question").json()
    post(signed_in(other), doc, body="Réponse", thread=thread["id"])
    url = f"{API}{doc.pk}/comments/{thread['id']}/"
    assert signed_in(commenter).delete(url).status_code == 403
    assert signed_in(doc.creator).delete(url).status_code == 204
