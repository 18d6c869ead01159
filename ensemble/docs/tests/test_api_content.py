"""The content API: read a document as JSON, HTML or Markdown, write it (a Yjs change that open
editors see at once), versions kept, compared and restored, and the search text refreshed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.abilities import Role
from ensemble.docs import changes, content, store, tasks
from ensemble.docs.models import Document, DocumentVersion, VersionKind
from ensemble.docs.tests.factories import document, share, signed_in
from ensemble.docs.tests.test_socket import editor

API = "/api/v1/docs/documents/"
MARKDOWN = "# Ordre du jour\n\n- Budget\n- Recrutements\n\nFin de la *réunion*.\n"

db = database_sync_to_async


def put(client: Client, doc: Document, fmt: str, body: Any) -> Any:
    return client.put(
        f"{API}{doc.pk}/content/", {"format": fmt, "content": body}, content_type="application/json"
    )


@pytest.mark.django_db
def test_write_markdown_and_read_it_back_in_every_format() -> None:
    doc = document()
    owner = signed_in(doc.creator)
    assert put(owner, doc, "markdown", MARKDOWN).status_code == 200
    as_json = owner.get(f"{API}{doc.pk}/content/", {"as": "json"}).json()["content"]
    assert [node["type"] for node in as_json["content"]] == ["heading", "bulletList", "paragraph"]
    html = owner.get(f"{API}{doc.pk}/content/", {"as": "html"}).json()["content"]
    assert "<h1>Ordre du jour</h1>" in html and "<em>réunion</em>" in html
    markdown = owner.get(f"{API}{doc.pk}/content/", {"as": "markdown"}).json()["content"]
    assert "# Ordre du jour" in markdown and "Recrutements" in markdown
    # The search text follows the content.
    assert "Recrutements" in Document.objects.get(pk=doc.pk).text
    found = owner.get(API, {"view": "mine", "search": "recrutements"}).json()
    assert [d["id"] for d in found] == [str(doc.pk)]


@pytest.mark.django_db
def test_who_may_read_and_write_the_content_and_bad_content_is_refused() -> None:
    doc = document()
    reader = share(doc, Role.READER)
    url = f"{API}{doc.pk}/content/"
    assert signed_in(reader).get(url).status_code == 200
    assert put(signed_in(reader), doc, "html", "<p>x</p>").status_code == 403
    owner = signed_in(doc.creator)
    refused = put(owner, doc, "json", {"type": "doc", "content": [{"type": "marquee"}]})
    assert refused.status_code == 400 and "marquee" in str(refused.json())
    assert put(owner, doc, "json", "not an object").status_code == 400
    assert put(owner, doc, "html", {"not": "text"}).status_code == 400
    assert owner.get(url, {"as": "pdf"}).status_code == 400
    assert store.load(doc.pk).update == store.EMPTY_UPDATE  # nothing was stored


@pytest.mark.django_db
def test_html_written_through_the_api_is_sanitised() -> None:
    doc = document()
    owner = signed_in(doc.creator)
    html = '<p onclick="x()">Bonjour <a href="javascript:alert(1)">ici</a></p><script>x()</script>'
    assert put(owner, doc, "html", html).status_code == 200
    stored = owner.get(f"{API}{doc.pk}/content/", {"as": "html"}).json()["content"]
    assert "script" not in stored and "javascript" not in stored and "onclick" not in stored
    assert "Bonjour" in stored


@pytest.mark.django_db(transaction=True)
async def test_a_write_from_the_api_reaches_open_editors_at_once() -> None:
    doc = await db(document)()
    alice, socket = await editor(doc.creator, doc)
    response = await db(put)(await db(signed_in)(doc.creator), doc, "markdown", MARKDOWN)
    assert response.status_code == 200
    await alice.until(lambda: len(alice.fragment.children) == 3)
    assert content.read(alice.fragment)["content"][0]["content"][0]["text"] == "Ordre du jour"
    await socket.disconnect()


@pytest.mark.django_db
def test_versions_named_compared_and_restored_as_a_new_change() -> None:
    doc = document()
    owner = signed_in(doc.creator)
    reader = share(doc, Role.READER)  # there before the versions: they are theirs to see
    put(owner, doc, "markdown", "Premier jet.\n\nDeuxième paragraphe.\n")
    named = owner.post(
        f"{API}{doc.pk}/versions/", {"name": "Relu"}, content_type="application/json"
    )
    assert named.status_code == 201 and named.json()["kind"] == "named"
    put(owner, doc, "markdown", "Premier jet corrigé.\n\nDeuxième paragraphe.\n\nAjout.\n")
    version_url = f"{API}{doc.pk}/versions/{named.json()['id']}/"
    seen = owner.get(version_url).json()
    assert "Premier jet." in seen["content"]
    assert {"op": "delete", "text": "Premier jet."} in seen["changes"]
    assert {"op": "insert", "text": "Premier jet corrigé."} in seen["changes"]
    assert {"op": "insert", "text": "Ajout."} in seen["changes"]
    assert {"op": "equal", "text": "Deuxième paragraphe."} in seen["changes"]
    assert signed_in(reader).get(version_url).status_code == 200
    assert signed_in(reader).post(f"{version_url}restore/").status_code == 403
    restored = owner.post(f"{version_url}restore/")
    assert restored.status_code == 200
    text = owner.get(f"{API}{doc.pk}/content/", {"as": "markdown"}).json()["content"]
    assert "Premier jet." in text and "Ajout" not in text
    kinds = [v["kind"] for v in owner.get(f"{API}{doc.pk}/versions/").json()]
    assert kinds == [VersionKind.RESTORE, VersionKind.NAMED]  # what was there is kept too


@pytest.mark.django_db
def test_an_automatic_version_after_editing_and_none_when_nothing_changed() -> None:
    doc = document()
    changes.replace(doc, doc.creator, content.from_markdown("Texte.\n"))
    assert tasks.after_editing(str(doc.pk)) == {"folded": 1, "version": 1}
    assert tasks.after_editing(str(doc.pk)) == {"folded": 0, "version": 0}
    version = DocumentVersion.objects.get(document=doc)
    assert version.kind == VersionKind.AUTO and version.author == doc.creator
    assert "Texte." in changes.plain_text(changes.version_json(version))


@pytest.mark.django_db
def test_a_write_keeps_the_unchanged_blocks_so_what_is_typed_there_meanwhile_stays() -> None:
    """Only the blocks that differ are replaced: an editor typing in another paragraph at the
    same moment keeps what they typed (a whole replacement would delete it with its block)."""
    from pycrdt import XmlFragment

    doc = document()
    changes.replace(
        doc, doc.creator, content.from_markdown("Premier.\n\nDeuxième.\n\nTroisième.\n")
    )
    editing = store.doc_of(store.load(doc.pk))  # an open editor, not yet synced with what follows
    before = editing.get_state()
    editing.get("default", type=XmlFragment).children[0].children[0].insert(0, "Mon ")
    typed = editing.get_update(before)
    changes.replace(
        doc, doc.creator, content.from_markdown("Premier.\n\nDeuxième, revu.\n\nTroisième.\n")
    )
    merged = store.doc_of(store.load(doc.pk))
    merged.apply_update(typed)
    blocks = content.read(merged.get("default", type=XmlFragment))["content"]
    assert [changes.plain_text(block) for block in blocks] == [
        "Mon Premier.",
        "Deuxième, revu.",
        "Troisième.",
    ]
    size = len(store.load(doc.pk).update)
    changes.replace(
        doc, doc.creator, content.from_markdown("Premier.\n\nDeuxième, revu.\n\nTroisième.\n")
    )
    assert len(store.load(doc.pk).update) == size  # the same content again changes nothing


@pytest.mark.django_db
def test_a_new_document_from_a_template_starts_with_its_content() -> None:
    template = document(title="Modèle de compte rendu")
    owner = signed_in(template.creator)
    owner.patch(f"{API}{template.pk}/", {"is_template": True}, content_type="application/json")
    put(owner, template, "markdown", "# Compte rendu\n\n- Présents\n- Décisions\n")
    colleague = share(template, Role.READER)
    listed = signed_in(colleague).get(API, {"view": "templates"}).json()
    assert [d["title"] for d in listed] == ["Modèle de compte rendu"]
    made = signed_in(colleague).post(
        API, {"template": str(template.pk)}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["title"] == "Modèle de compte rendu"
    text = signed_in(colleague).get(f"{API}{made.json()['id']}/content/", {"as": "markdown"})
    assert "Présents" in text.json()["content"]
    stranger = document().creator
    refused = signed_in(stranger).post(
        API, {"template": str(template.pk)}, content_type="application/json"
    )
    assert refused.status_code == 400  # a template one may not read is no template


@pytest.mark.django_db
def test_versions_from_before_someone_was_let_in_are_not_theirs_to_see() -> None:
    """A version may hold what was removed before a person was given access."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from ensemble.core.abilities import LinkReach
    from ensemble.docs.models import Document

    doc = document()
    owner = signed_in(doc.creator)
    start = timezone.now()
    with time_machine.travel(start):
        put(owner, doc, "markdown", "Projet confidentiel : nom du candidat.\n")
        secret = owner.post(
            f"{API}{doc.pk}/versions/", {"name": "Avant"}, content_type="application/json"
        ).json()
        put(owner, doc, "markdown", "Projet.\n")
    with time_machine.travel(start + timedelta(hours=1)):
        reader = share(doc, Role.READER)
        admin = share(doc, Role.ADMINISTRATOR)
    with time_machine.travel(start + timedelta(hours=2)):
        later = owner.post(
            f"{API}{doc.pk}/versions/", {"name": "Après"}, content_type="application/json"
        ).json()
    seen = [v["id"] for v in signed_in(reader).get(f"{API}{doc.pk}/versions/").json()]
    assert seen == [later["id"]]
    assert signed_in(reader).get(f"{API}{doc.pk}/versions/{secret['id']}/").status_code == 404
    everything = [v["id"] for v in signed_in(admin).get(f"{API}{doc.pk}/versions/").json()]
    assert everything == [later["id"], secret["id"]]
    Document.objects.filter(pk=doc.pk).update(link_reach=LinkReach.AUTHENTICATED)
    passer_by = signed_in(UserFactory(organisation=doc.organisation))
    assert passer_by.get(f"{API}{doc.pk}/versions/").json() == []
