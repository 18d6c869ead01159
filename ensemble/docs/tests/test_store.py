"""The append log: several documents' updates stored in one transaction, numbered in order;
an update for a document deleted meanwhile is not stored, and the others are."""

from __future__ import annotations

import pytest
from pycrdt import Doc, Text

from ensemble.docs import store
from ensemble.docs.models import Document, DocumentUpdate
from ensemble.docs.tests.factories import document

pytestmark = pytest.mark.django_db


def edits(*words: str) -> list[bytes]:
    doc: Doc = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for word in words:
        doc.get("text", type=Text).insert(len(doc.get("text", type=Text)), word)
    return updates


def text_of(document_id: object) -> str:
    return str(store.doc_of(store.load(document_id)).get("text", type=Text))


def test_updates_of_several_documents_in_one_write() -> None:
    one, two, gone = document(), document(), document()
    a, b = edits("un ", "deux "), edits("alpha ", "beta ")
    (c,) = edits("perdu")
    store.append(one.pk, a[0])
    Document.objects.filter(pk=gone.pk).delete()
    seqs = store.append_many(
        [
            (one.pk, a[1], one.creator.pk),
            (two.pk, b[0], None),
            (gone.pk, c, None),
            (two.pk, b[1], None),
        ]
    )
    assert seqs == [2, 1, 0, 2]
    assert text_of(one.pk) == "un deux " and text_of(two.pk) == "alpha beta "
    assert DocumentUpdate.objects.get(document=one, seq=2).author == one.creator
    assert Document.objects.get(pk=two.pk).seq == 2
