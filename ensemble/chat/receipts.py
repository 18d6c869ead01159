"""Read receipts ("seen by"): in a small room, where each member's read marker stands, for
the members who share theirs. Someone who does not share (``User.share_read_receipts``)
sees nobody's, as in Signal or WhatsApp; rooms above CHAT_RECEIPTS_MAX_MEMBERS members show
none (a receipt among hundreds tells nothing and costs a query per message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from ensemble.chat.models import Message, Room, RoomMember


@dataclass(frozen=True)
class Mark:
    """Someone's read marker: they have read every message up to ``seq``."""

    user: Any
    name: str
    external: bool
    seq: int


def shown(room: Room, reader: Any) -> bool:
    """Whether ``reader`` sees read receipts in ``room``: a member (not banned) who shares
    their own, in a room small enough."""
    if not reader.is_authenticated or not reader.share_read_receipts:
        return False
    if room.membership(reader) is None:
        return False
    members = room.members.filter(banned=False).count()
    return 0 < members <= settings.CHAT_RECEIPTS_MAX_MEMBERS


def marks(room: Room, reader: Any) -> list[Mark]:
    """The read markers of the other members who share theirs (empty where not shown)."""
    if not shown(room, reader):
        return []
    others = (
        RoomMember.objects.filter(
            room=room, banned=False, last_read_seq__gt=0, user__share_read_receipts=True
        )
        .exclude(user=reader)
        .select_related("user")
        .order_by("-last_read_seq", "user__full_name", "user__email")
    )
    return [
        Mark(member.user_id, str(member.user), member.user.is_external, member.last_read_seq)
        for member in others
    ]


def seen_by(message: Message, reader: Any) -> list[Mark]:
    """Who, among the others who share their receipts, has read ``message`` (its author is
    not counted: they wrote it)."""
    return [
        mark
        for mark in marks(message.room, reader)
        if mark.seq >= message.seq and mark.user != message.author_id
    ]
