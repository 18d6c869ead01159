"""The threads of a room: each message that has replies, with how many, the last one, and
how many of them the reader has not read yet (after their read marker, by someone else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q

from ensemble.chat.api.serializers import MESSAGE_RELATED
from ensemble.chat.models import Message, Room

PAGE = 50


@dataclass(frozen=True)
class Thread:
    root: Message
    replies: int
    last_seq: int
    last_at: datetime
    unread: int


def threads_of(room: Room, reader: Any, before: int | None = None) -> list[Thread]:
    """The room's threads, the most recently answered first (PAGE of them; ``before``: those
    whose last reply came before that seq). Readers who are not members (a forum's) have no
    read marker: nothing is unread for them."""
    member = room.membership(reader)
    mark = member.last_read_seq if member is not None else None
    replies = Message.objects.filter(room=room, reply_to__isnull=False, deleted_at__isnull=True)
    unread = (
        Count("pk", filter=Q(seq__gt=mark) & ~Q(author=reader.pk))
        if mark is not None
        else Count("pk", filter=Q(pk__isnull=True))
    )
    rows = (
        replies.values("reply_to")
        .annotate(replies=Count("pk"), last_seq=Max("seq"), last_at=Max("created_at"))
        .annotate(unread=unread)
        .order_by("-last_seq")
    )
    if before is not None:
        rows = rows.filter(last_seq__lt=before)
    page = list(rows[:PAGE])
    roots = (
        Message.objects.filter(pk__in=[row["reply_to"] for row in page], room=room)
        .select_related("author")
        .prefetch_related(*MESSAGE_RELATED)
    )
    by_id = {root.pk: root for root in roots}
    return [
        Thread(by_id[row["reply_to"]], row["replies"], row["last_seq"], row["last_at"],
               row["unread"])
        for row in page
        if row["reply_to"] in by_id
    ]  # fmt: skip
