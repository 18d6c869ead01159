"""Reply notifications: the author of a message is told when someone answers it, unless the
answer already notified them (they were named in it, or follow every message of the room),
they muted the room, or they are no longer in it."""

from __future__ import annotations

import uuid

from django.utils import translation
from django.utils.translation import gettext as _

from ensemble.chat.models import Message, NotifyLevel, RoomMember
from ensemble.portal.actions import notify


def notify_reply(message: Message, named: set[uuid.UUID]) -> None:
    """Called as ``message`` is stored (inside its transaction); ``named``: the people its
    text mentions."""
    if message.reply_to_id is None:
        return
    answered = Message.objects.filter(pk=message.reply_to_id).values("author_id").first()
    author = answered["author_id"] if answered else None
    if author is None or author == message.author_id or author in named:
        return
    if message.mentions_room:
        return  # everyone was told
    member = (
        RoomMember.objects.filter(room=message.room_id, user=author, banned=False)
        .select_related("user")
        .first()
    )
    if member is None or member.notify != NotifyLevel.MENTIONS or not member.user.is_active:
        return  # muted, or told of every message already
    with translation.override(member.user.language):
        title = _("%(author)s replied to you in %(room)s") % {
            "author": message.author_name,
            "room": message.room,
        }
    notify(member.user, title, message.body[:200], f"/chat/{message.room_id}/")
