"""The durable Yjs content of documents: an append log of updates plus a compacted snapshot.

``append`` stores one update and gives it the document's next sequence number, in a
transaction that is committed before the caller acknowledges the update to anyone: what was
acknowledged is on disk. ``load`` reads the snapshot and every update after it. ``compact``
folds the log into the snapshot (in a background job once the log is long, and when the last
editor leaves), without ever losing an update appended meanwhile: it folds only up to the
sequence it read, and deletes only those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from pycrdt import Doc, merge_updates

from ensemble.core import sql
from ensemble.docs.models import Document, DocumentState, DocumentUpdate

# An update that changes nothing (no structs, empty delete set): a read-only client's step 2.
EMPTY_UPDATE = b"\x00\x00"
# After this many updates (a burst of editing), fold the log, keep a version, refresh search.
COMPACT_AFTER = 300


@dataclass(frozen=True)
class Content:
    update: bytes  # the whole document as one Yjs update
    seq: int  # the last update it includes


def append(document_id: Any, update: bytes, author: Any = None) -> int:
    """Store ``update`` and return its sequence number (committed when this returns)."""
    with transaction.atomic():
        Document.objects.filter(pk=document_id).update(seq=F("seq") + 1)
        seq = Document.objects.filter(pk=document_id).values_list("seq", flat=True).get()
        DocumentUpdate.objects.create(document_id=document_id, seq=seq, data=update, author=author)
    if seq % COMPACT_AFTER == 0:
        from ensemble.docs.tasks import compact_content

        compact_content.enqueue(str(document_id))
    return seq


def append_many(items: list[tuple[Any, bytes, Any]]) -> list[int]:
    """Store several updates (document id, update, author id) in one transaction, each
    document's in the order given; their sequence numbers, in the same order (0 for a
    document deleted meanwhile: not stored). One commit and
    two statements for all (the socket's group commit, realtime.Appender): the counters of
    every document are moved at once (UPDATE … RETURNING), the rows inserted at once."""
    counts: dict[Any, int] = {}
    for document_id, _update, _author in items:
        counts[document_id] = counts.get(document_id, 0) + 1
    keys = {document_id: sql.db_value(Document, "id", document_id) for document_id in counts}
    cases = " ".join(["WHEN %s THEN %s"] * len(counts))
    table = Document._meta.db_table
    moved = (
        f"UPDATE {table} SET seq = seq + CASE id {cases} END "  # noqa: S608
        f"WHERE id IN ({', '.join(['%s'] * len(counts))}) RETURNING id, seq"
    )
    params = [value for key in counts for value in (keys[key], counts[key])] + list(keys.values())
    now = timezone.now()
    with transaction.atomic():
        last = {sql.python_value(Document, "id", key): seq for key, seq in sql.fetch(moved, params)}
        next_seq = {key: last[key] - count + 1 for key, count in counts.items() if key in last}
        seqs, rows = [], []
        for document_id, update, author_id in items:
            if document_id not in next_seq:
                seqs.append(0)
                continue
            seq = next_seq[document_id]
            next_seq[document_id] += 1
            seqs.append(seq)
            rows.append((document_id, seq, update, author_id, now))
        target = sql.columns(DocumentUpdate, ("document", "seq", "data", "author", "created_at"))
        values = ", ".join([f"({target.marks()})"] * len(rows))
        with connection.cursor() as cursor:
            if not rows:
                return seqs
            cursor.execute(
                f"INSERT INTO {target.table} ({target.names}) VALUES {values}",  # noqa: S608
                [param for row in rows for param in target.params(row)],
            )
    for document_id, count in counts.items():
        if (
            document_id in last
            and last[document_id] // COMPACT_AFTER != (last[document_id] - count) // COMPACT_AFTER
        ):
            from ensemble.docs.tasks import compact_content

            compact_content.enqueue(str(document_id))
    return seqs


def updates_after(document_id: Any, seq: int) -> list[tuple[int, bytes]]:
    rows = DocumentUpdate.objects.filter(document_id=document_id, seq__gt=seq).order_by("seq")
    return [(row_seq, bytes(data)) for row_seq, data in rows.values_list("seq", "data")]


def load(document_id: Any) -> Content:
    """The whole content as one update, and the last sequence it includes.

    The snapshot and the rows after it are two reads; on PostgreSQL (read committed) a
    compaction may commit between them, deleting rows the snapshot read does not hold. A
    compaction always moves the snapshot's sequence, so reading it again says whether the two
    reads belong together; if not, they are read again."""
    while True:
        state = DocumentState.objects.filter(document_id=document_id).first()
        after = state.seq if state else 0
        rows = updates_after(document_id, after)
        now = DocumentState.objects.filter(document_id=document_id).values_list("seq", flat=True)
        if (now.first() or 0) == after:
            break
    parts = ([bytes(state.data)] if state else []) + [data for _, data in rows]
    seq = rows[-1][0] if rows else after
    if not parts:
        return Content(EMPTY_UPDATE, seq)
    return Content(merge_updates(*parts) if len(parts) > 1 else parts[0], seq)


def doc_of(content: Content) -> Doc:
    doc: Doc = Doc()
    if content.update != EMPTY_UPDATE:
        doc.apply_update(content.update)
    return doc


def compact(document_id: Any) -> int:
    """Fold the log into the snapshot; return how many updates were folded. The snapshot's
    row is locked first and the rows are read after it, in the same transaction: two
    compactions at once take turns, and each folds exactly the rows after the snapshot it
    holds (reading them before the lock could fold a snapshot older than the rows left)."""
    with transaction.atomic():
        DocumentState.objects.get_or_create(
            document_id=document_id, defaults={"data": EMPTY_UPDATE, "seq": 0}
        )
        state = DocumentState.objects.select_for_update().get(document_id=document_id)
        rows = updates_after(document_id, state.seq)
        if not rows:
            return 0
        parts = ([bytes(state.data)] if bytes(state.data) != EMPTY_UPDATE else []) + [
            data for _, data in rows
        ]
        merged = merge_updates(*parts) if len(parts) > 1 else parts[0]
        # Re-encoding through a document drops what merging alone keeps (deleted content's
        # structure is kept by Yjs either way: versions and offline peers need it).
        state.data = doc_of(Content(merged, rows[-1][0])).get_update()
        state.seq = rows[-1][0]
        state.save()
        folded, _ = DocumentUpdate.objects.filter(
            document_id=document_id, seq__lte=state.seq
        ).delete()
    return folded
