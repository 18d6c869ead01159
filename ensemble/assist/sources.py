"""What Assist summarises, read as the person may read it: a document's blocks, a chat room's
messages they have not read yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_MESSAGES = 500  # of a room's unread messages, the last ones
LAST_MESSAGES = 50  # read everything: the last ones are summarised


@dataclass(frozen=True)
class Source:
    """What is summarised, and the organisation that holds it (its switches apply too)."""

    parts: list[str]
    organisation_id: Any


def document_parts(user: Any, document_id: Any) -> Source | None:
    """The blocks of a document ``user`` may read (paragraphs, headings, list items), as
    text; None if it is absent, in the trash, or not theirs to read."""
    from ensemble.docs import changes, views

    document = views.find(user, document_id)
    if document is None:
        return None
    text = changes.plain_text(changes.current(document.pk)[0])
    return Source([line for line in text.splitlines() if line.strip()], document.organisation_id)


def unread_parts(user: Any, room_id: Any) -> Source | None:
    """The messages of a room ``user`` belongs to that they have not read ("name: text"),
    others' only, oldest first; the last ones when they read everything; None if not a
    member."""
    from ensemble.chat.models import Message, Room

    room = Room.objects.filter(pk=room_id, archived_at__isnull=True).first()
    member = room.membership(user) if room else None
    if room is None or member is None:
        return None
    messages = Message.objects.filter(room=room, deleted_at__isnull=True).select_related("author")
    unread = (
        messages.filter(seq__gt=member.last_read_seq)
        .exclude(author=user)
        .order_by("-seq")[:MAX_MESSAGES]
    )
    chosen = list(unread) or list(messages.order_by("-seq")[:LAST_MESSAGES])
    parts = [f"{message.author_name}: {message.body}" for message in reversed(chosen)]
    return Source(parts, room.organisation_id)
