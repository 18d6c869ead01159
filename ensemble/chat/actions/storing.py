"""Messages stored: each at the next place of its room's stream, with its mentions and files,
published on commit, and the members told as they chose. The sending plan (sending.py)
decides what is stored; this is how."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.chat.api.serializers import MAX_MENTIONS, message_data
from ensemble.chat.events import MessageCreated
from ensemble.chat.markdown import render
from ensemble.chat.models import Attachment, Message, NotifyLevel, Room
from ensemble.chat.replies import notify_reply
from ensemble.core.events import publish_rows
from ensemble.portal.actions import notify

Stored = tuple[Message, list[Attachment], list[uuid.UUID]]  # the message, its files, who it names


def store_all(messages: list[Stored]) -> list[Message | None]:
    """store() for several messages, in order within each room. The usual ones (no mentions,
    files or notifications) of a room are stored together in one write (one statement on
    PostgreSQL); the others each in a transaction of their own, with what goes with them."""
    stored: list[Message | None] = [None] * len(messages)
    usual: dict[uuid.UUID, list[int]] = {}  # per room, waiting to be stored together

    def store_usual(room: uuid.UUID) -> None:
        waiting = usual.pop(room, [])
        if not waiting:
            return
        first = messages[waiting[0]][0]
        places = publish_rows(
            first.room.stream, Message, [row(messages[i][0]) for i in waiting],
            [created(messages[i][0], []) for i in waiting],
        )  # fmt: skip
        for index, seq in zip(waiting, places, strict=True):
            stored[index] = numbered(messages[index][0], seq)

    for index, (message, files, named) in enumerate(messages):
        room = message.room
        mentioned = mentioned_members(room, named)
        prepared(message, mentioned)
        answers = message.reply_to_id is not None  # its author may be told (chat/replies.py)
        if not (
            mentioned or files or answers or message.mentions_room or room.notifies_every_message()
        ):
            usual.setdefault(room.pk, []).append(index)
            continue
        store_usual(room.pk)  # those before it first, to keep the room's order
        with transaction.atomic():  # stored, numbered and published together, or not at all
            (seq,) = publish_rows(
                room.stream, Message, [row(message)], [created(message, files, mentioned)]
            )
            if numbered(message, seq):
                Named = Message.mentions.through  # the manager would read the event's cache
                Named.objects.bulk_create(Named(message=message, user=user) for user in mentioned)
                if files:
                    Attachment.objects.filter(pk__in=[file.pk for file in files]).update(
                        message=message
                    )
                notify_members(message, mentioned)
                notify_reply(message, {user.pk for user in mentioned})
                stored[index] = message
    for room_id in list(usual):
        store_usual(room_id)
    return stored


def prepared(message: Message, mentioned: list[User] | None = None) -> Message:
    message.html = render(message.body, mentioned or [])
    message.created_at = message.updated_at = timezone.now()
    return message


MESSAGE_COLUMNS = [column for column in Message._meta.concrete_fields if column.name != "seq"]


def row(message: Message) -> dict[str, Any]:
    return {column.attname: getattr(message, column.attname) for column in MESSAGE_COLUMNS}


def created(
    message: Message, files: list[Attachment], mentioned: list[User] | None = None
) -> MessageCreated:
    """The event of a new message (its seq filled in when it is stored)."""
    message.seq = 0
    # A new message has no reactions, and its files and the people it names are known.
    message._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "reactions": [],
        "attachments": files,
        "mentions": mentioned or [],
    }
    return MessageCreated.model_validate(message_data(message))


def numbered(message: Message, seq: int | None) -> Message | None:
    """The message as stored at ``seq``, or None if it was not (a retry)."""
    if seq is None:
        return None
    message.seq = seq
    message._state.adding, message._state.db = False, "default"
    return message


ROOM_MENTION = re.compile(r"(?<![\w@])@room\b")


def mentioned_members(room: Room, named: list[uuid.UUID]) -> list[User]:
    """The members of the room among the people a message names (by their id, as the page's
    @-list and the API give them; never by address, which would show it to every reader).
    Someone named who is not a member (any more) is left out."""
    if not named:
        return []
    return list(
        User.objects.filter(
            pk__in=named[:MAX_MENTIONS], room_memberships__room=room, room_memberships__banned=False
        )
    )


def notify_members(message: Message, mentioned_users: list[User]) -> None:
    """Tell members through their notification centre, as each one chose for this room."""
    mentioned = {user.pk for user in mentioned_users}
    if not mentioned and not message.mentions_room and not message.room.notifies_every_message():
        return  # the usual case
    author_name = message.author_name
    members = message.room.members.filter(banned=False)
    if not message.mentions_room:  # only those who want every message, or were named
        members = members.filter(Q(notify=NotifyLevel.ALL) | Q(user_id__in=mentioned))
    if message.author_id is not None:
        members = members.exclude(user_id=message.author_id)
    for member in members.select_related("user"):
        named = member.user_id in mentioned or message.mentions_room
        wanted = member.notify == NotifyLevel.ALL or (
            member.notify == NotifyLevel.MENTIONS and named
        )
        if not wanted:
            continue
        with translation.override(member.user.reads):  # theirs
            title = (
                _("%(author)s mentioned you in %(room)s") if named else _("%(author)s in %(room)s")
            ) % {"author": author_name, "room": message.room}
        notify(member.user, title, message.body[:200])
