"""Changes the server makes to a document's content (a write from the API, a restored
version, an import): made as a Yjs update on the stored content, stored like an editor's, and
sent at once to every editor that has the document open."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from pycrdt import XmlElement, XmlFragment

from ensemble.docs import content, store
from ensemble.docs.models import Document, DocumentVersion, VersionKind

SERVER = "server"  # the sender of the server's own updates (no socket has that name)


def fragment_of(doc: Any) -> XmlFragment:
    fragment: XmlFragment = doc.get(content.FRAGMENT, type=XmlFragment)
    return fragment


def current(document_id: Any) -> tuple[dict[str, Any], int]:
    """The document's content as ProseMirror JSON, and the last update it includes."""
    stored = store.load(document_id)
    return content.read(fragment_of(store.doc_of(stored))), stored.seq


def change(document: Document, author: Any, edit: Callable[[XmlFragment], None]) -> int | None:
    """Apply ``edit`` to the stored content; store and broadcast the update it makes (its
    sequence, or None when it changed nothing)."""
    doc = store.doc_of(store.load(document.pk))
    before, people = doc.get_state(), mentioned(doc)
    edit(fragment_of(doc))
    update = doc.get_update(before)
    if update == store.EMPTY_UPDATE:
        return None
    seq = store.append(document.pk, update, author)
    broadcast(document.pk, seq, update)
    remember_text(document.pk, content.read(fragment_of(doc)))
    tell_mentioned(document.pk, author, mentioned(doc) - people)
    return seq


def replace(document: Document, author: Any, pm_json: dict[str, Any]) -> int | None:
    """Make the content ``pm_json`` (ProseMirror JSON); ValueError if the schema refuses it."""
    return change(document, author, lambda fragment: content.write(fragment, pm_json))


def broadcast(document_id: Any, seq: int, update: bytes) -> None:
    from ensemble.docs.realtime import group_of

    message = {
        "type": "doc.update",
        "seq": seq,
        "data": base64.b64encode(update).decode("ascii"),
        "sender": SERVER,
    }
    async_to_sync(get_channel_layer().group_send)(group_of(document_id), message)


def rights_changed(document: Document) -> None:
    """Who may read or edit the document and those below it may have changed: once committed,
    their open sockets check again (a person who lost access is disconnected, one who may no
    longer edit is told the document is read-only)."""
    from django.db import transaction

    from ensemble.docs.realtime import group_of

    # Listed now: a move commits a new path, and the old one would then find nothing.
    below = list(
        Document.objects.filter(path__startswith=document.path).values_list("pk", flat=True)
    )

    def tell() -> None:
        layer = get_channel_layer()
        for document_id in below:
            async_to_sync(layer.group_send)(group_of(document_id), {"type": "doc.rights"})

    transaction.on_commit(tell)


def comments_changed(document: Any) -> None:
    """Once committed, the document's open pages are told to read its comments again."""
    from django.db import transaction

    from ensemble.docs.realtime import group_of

    def tell() -> None:
        async_to_sync(get_channel_layer().group_send)(
            group_of(document.pk), {"type": "doc.comments"}
        )

    transaction.on_commit(tell)


def plain_text(node: dict[str, Any]) -> str:
    """The words of a document (for search): its text nodes, blocks on lines of their own."""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    inner = [plain_text(child) for child in node.get("content") or []]
    if node.get("type") in ("mention", "pageLink"):
        return str(
            (node.get("attrs") or {}).get("label") or (node.get("attrs") or {}).get("title") or ""
        )
    joined = "".join(inner) if is_inline_parent(node) else "\n".join(t for t in inner if t)
    return joined


def is_inline_parent(node: dict[str, Any]) -> bool:
    return node.get("type") in ("paragraph", "heading", "codeBlock")


def remember_text(document_id: Any, pm_json: dict[str, Any]) -> None:
    Document.objects.filter(pk=document_id).update(text=plain_text(pm_json)[:1_000_000])


def snapshot(
    document: Document, author: Any, kind: str = VersionKind.AUTO, name: str = ""
) -> DocumentVersion | None:
    """Keep the content as it is now as a version (none if nothing changed since the last)."""
    stored = store.load(document.pk)
    last = DocumentVersion.objects.filter(document=document).first()
    if kind == VersionKind.AUTO and (stored.seq == 0 or (last and last.seq >= stored.seq)):
        return None
    return DocumentVersion.objects.create(
        document=document, data=stored.update, seq=stored.seq, kind=kind, name=name, author=author
    )


def version_json(version: DocumentVersion) -> dict[str, Any]:
    return content.read(fragment_of(store.doc_of(store.Content(bytes(version.data), version.seq))))


def blocks(pm_json: dict[str, Any]) -> list[str]:
    """The text of each top-level block (a table or a list: one line per row or item)."""
    lines: list[str] = []
    for node in pm_json.get("content") or []:
        lines += plain_text(node).split("\n")
    return lines


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """What changed from ``old`` to ``new``, line by line: equal, deleted and inserted lines."""
    import difflib

    before, after = blocks(old), blocks(new)
    ops: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops += [{"op": "equal", "text": line} for line in before[i1:i2]]
            continue
        ops += [{"op": "delete", "text": line} for line in before[i1:i2]]
        ops += [{"op": "insert", "text": line} for line in after[j1:j2]]
    return ops


def is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def mentioned(doc: Any) -> set[str]:
    """The ids of the people mentioned in a document's content."""
    found: set[str] = set()
    pending: list[Any] = [fragment_of(doc)]
    while pending:
        node = pending.pop()
        for child in node.children:
            if isinstance(child, XmlElement):
                if child.tag == "mention":
                    found.add(str(child.attributes.get("id") or ""))
                else:
                    pending.append(child)
    found.discard("")
    return found


def tell_mentioned(document_id: Any, author: Any, ids: set[str]) -> None:
    """People newly mentioned in a document are told, if they may read it (a mention gives
    no access, and tells nobody else of the document)."""
    from django.utils.translation import gettext as _

    from ensemble.accounts.models import User
    from ensemble.portal.actions import notify_each

    document = Document.objects.filter(pk=document_id).first()
    valid = [each for each in ids if is_uuid(each)][:50]  # a mention's id is the client's
    if document is None or not valid:
        return
    people = User.objects.filter(pk__in=valid, is_active=True)
    notify_each(
        [person for person in people if document.get_abilities(person)["retrieve"]],
        lambda: (
            _("%(name)s mentioned you in %(document)s")
            % {"name": author or _("Someone"), "document": document}
        ),
        "",
        f"/docs/{document.pk}/",
        told={getattr(author, "pk", None)},
    )
