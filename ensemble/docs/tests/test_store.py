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


@pytest.mark.django_db(transaction=True)
def test_a_load_during_a_compaction_reads_again_rather_than_miss_the_folded_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL (read committed): a compaction committing between the snapshot's read and
    the rows' read deleted rows the snapshot read did not hold (a review found the load, and
    a compaction built on it, losing acknowledged updates)."""
    import threading

    from django.db import connection

    doc = document()
    updates = edits("a", "b", "c", "d", "e")
    for update in updates[:3]:
        store.append(doc.pk, update)
    store.compact(doc.pk)  # the snapshot holds abc
    for update in updates[3:]:
        store.append(doc.pk, update)
    original = store.updates_after
    raced: list[int] = []

    def compaction_meanwhile(document_id: object, seq: int) -> list[tuple[int, bytes]]:
        if not raced:
            raced.append(1)

            def other() -> None:
                store.compact(doc.pk)  # folds d and e, deletes their rows
                connection.close()

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
        return original(document_id, seq)

    monkeypatch.setattr(store, "updates_after", compaction_meanwhile)
    assert text_of(doc.pk) == "abcde"
    monkeypatch.setattr(store, "updates_after", original)
    store.compact(doc.pk)
    assert text_of(doc.pk) == "abcde"


@pytest.mark.django_db(transaction=True)
def test_compactions_at_once_and_appends_lose_nothing() -> None:
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":  # one writer at a time there; and the test database is
        pytest.skip("in memory with a shared cache, where threads meet table locks")

    doc = document()
    updates = edits(*[f"{n} " for n in range(60)])
    for update in updates[:20]:
        store.append(doc.pk, update)
    failures: list[BaseException] = []

    def compacting() -> None:
        try:
            for _ in range(5):
                store.compact(doc.pk)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=compacting) for _ in range(2)]
    for thread in threads:
        thread.start()
    for update in updates[20:]:
        store.append(doc.pk, update)
    for thread in threads:
        thread.join()
    assert failures == []
    store.compact(doc.pk)
    assert text_of(doc.pk) == "".join(f"{n} " for n in range(60))
