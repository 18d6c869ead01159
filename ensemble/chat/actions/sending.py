"""Sending messages: checks, flood control, idempotent retries (txn_id), mentions, notifications."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat.actions.attachments import unsent_attachments
from ensemble.chat.api.serializers import MAX_MESSAGE_BYTES, MessageSerializer
from ensemble.chat.events import MessageCreated
from ensemble.chat.markdown import render
from ensemble.chat.models import Attachment, Message, NotifyLevel, Room, RoomKind, RoomMember
from ensemble.core import sql
from ensemble.core.counters import add_ones, add_ones_in_loop
from ensemble.core.events import Event, Guard, publish_rows, publish_rows_in_loop
from ensemble.core.refusals import BadInput, TooFast
from ensemble.portal.actions import notify


class MessageTooLarge(ActionRefused):
    status_code = 413


class SendingTooFast(TooFast):
    pass


def check_flood(sender: uuid.UUID) -> None:
    """At most CHAT_FLOOD_MESSAGES new messages per CHAT_FLOOD_SECONDS for each person (a
    user, or a guest of a meeting)."""
    if not within_flood_limit([sender])[0]:
        raise too_fast()


def within_flood_limit(senders: list[uuid.UUID]) -> list[bool]:
    """Count one more message for each sender (a sender given twice counts twice): whether
    each is within the limit."""
    return within(add_ones(flood_keys(senders), settings.CHAT_FLOOD_SECONDS * 2))


def flood_keys(senders: list[uuid.UUID]) -> list[str]:
    window = settings.CHAT_FLOOD_SECONDS
    return [f"chat.flood.{sender}.{int(time.time() // window)}" for sender in senders]


def within(counts: list[int]) -> list[bool]:
    return [count <= settings.CHAT_FLOOD_MESSAGES for count in counts]


def too_fast() -> SendingTooFast:
    return SendingTooFast(_("You are sending messages too fast. Wait a few seconds and try again."))


@dataclass
class Draft:
    """A message someone asks to send."""

    user: User
    room: Room
    txn_id: str
    body: str
    reply_to: uuid.UUID | None = None
    attachments: list[uuid.UUID] = field(default_factory=list)
    counted: bool = False  # already counted by flood control (send_plain's leftovers)

    @property
    def plain(self) -> bool:
        """Text alone: no files, reply or mention. Such a message may be stored without its
        room being read first (send_plain)."""
        return not (
            self.attachments
            or self.reply_to is not None
            or MENTION.search(self.body)
            or ROOM_MENTION.search(self.body)
        )


Sent = tuple[Message, bool]  # the message, and whether it is new (False: a retry's answer)


def send_message(
    user: User,
    room: Room,
    txn_id: str,
    body: str,
    reply_to: uuid.UUID | None = None,
    attachments: list[uuid.UUID] | None = None,
) -> Sent:
    """Store a message and publish it; (message, created). A retry with the same ``txn_id``
    returns the first message and creates nothing. ``attachments`` are files uploaded to the
    room beforehand (upload_attachment) and not yet sent."""
    outcome = send_messages([Draft(user, room, txn_id, body, reply_to, attachments or [])])[0]
    if isinstance(outcome, ActionRefused):
        raise outcome
    return outcome


def send_messages(drafts: list[Draft]) -> list[Sent | ActionRefused]:
    """send_message() for messages sent together (the socket batches sends that arrive at
    once): each gets its own outcome, with one flood-control round trip for all and one
    write for the usual messages of each room (store)."""
    outcomes: list[Sent | ActionRefused | None] = [None] * len(drafts)
    accepted: list[tuple[int, list[Attachment]]] = []
    for index, draft in enumerate(drafts):
        try:
            files = accept(draft)
        except ActionRefused as refusal:
            outcomes[index] = refusal
            continue
        if isinstance(files, tuple):  # a retry
            outcomes[index] = files
        else:
            accepted.append((index, files))
    counting = [index for index, _files in accepted if not drafts[index].counted]
    allowed = dict(zip(counting, within_flood_limit([drafts[i].user.pk for i in counting]),
                       strict=True))  # fmt: skip
    messages: list[tuple[int, Message, list[Attachment]]] = []
    for index, files in accepted:
        draft = drafts[index]
        if not allowed.get(index, True):
            outcomes[index] = over_limit(draft)
            continue
        try:
            messages.append((index, drafted(draft), files))
        except ActionRefused as refusal:
            outcomes[index] = refusal
    stored = store_all([(message, files) for _index, message, files in messages])
    for (index, message, _files), result in zip(messages, stored, strict=True):
        outcomes[index] = (result, True) if result is not None else retried(message)
    return outcomes  # type: ignore[return-value]


def send_plain(drafts: list[Draft]) -> list[Sent | ActionRefused | None]:
    """Plain messages (Draft.plain) whose rooms were not read: the room of a draft is only
    its id. The messages of each room are stored in one write guarded by what reading the
    room would have checked: every sender is a member who is not banned, the room is not
    archived, and no member is to be notified of every message. A draft whose room's write
    did not go gets None, and is already counted by flood control: send it the usual way
    (send_messages), which tells the sender why or stores it with what it owes."""
    outcomes: list[Sent | ActionRefused | None] = [None] * len(drafts)
    allowed = within_flood_limit([draft.user.pk for draft in drafts])
    for index, (draft, within_limit) in enumerate(zip(drafts, allowed, strict=True)):
        draft.counted = True
        if not within_limit:
            outcomes[index] = over_limit(draft)
    for room_id, waiting in plain_rooms(drafts, outcomes).items():
        places = publish_rows(*plain_write(drafts, room_id, waiting))
        if places is None:  # the guard failed: the usual way
            continue
        for (index, message), seq in zip(waiting, places, strict=True):
            stored = numbered(message, seq)
            outcomes[index] = (stored, True) if stored is not None else retried(message)
    return outcomes


async def send_plain_in_loop(drafts: list[Draft]) -> list[Sent | ActionRefused | None]:
    """send_plain() from the server's event loop, on PostgreSQL (core/loopdb.py): flood
    control and each room's write without a trip to the database thread. A draft that gets
    None goes the usual way and was not counted here (what was counted for it is taken
    back): beyond the flood limit, a guard that failed, a retry, or no connection."""
    outcomes: list[Sent | ActionRefused | None] = [None] * len(drafts)
    keys = flood_keys([draft.user.pk for draft in drafts])
    timeout = settings.CHAT_FLOOD_SECONDS * 2
    allowed = within(await add_ones_in_loop(keys, timeout))
    # beyond the limit: the usual way answers (a retry of a message stored, or too fast)
    rooms = plain_rooms(drafts, outcomes, skip=[not ok for ok in allowed])
    for room_id, waiting in rooms.items():
        places = await publish_rows_in_loop(*plain_write(drafts, room_id, waiting))
        for number, (index, message) in enumerate(waiting):
            stored = numbered(message, places[number]) if places is not None else None
            if stored is not None:
                outcomes[index] = (stored, True)
    if undo := [key for key, outcome in zip(keys, outcomes, strict=True) if outcome is None]:
        await add_ones_in_loop(undo, timeout, step=-1)
    return outcomes


def plain_rooms(
    drafts: list[Draft], outcomes: list[Sent | ActionRefused | None], skip: list[bool] | None = None
) -> dict[uuid.UUID, list[tuple[int, Message]]]:
    """The new messages of plain drafts not answered yet, per room (a refusal of the text
    goes in ``outcomes``)."""
    rooms: dict[uuid.UUID, list[tuple[int, Message]]] = {}
    for index, draft in enumerate(drafts):
        if outcomes[index] is not None or (skip and skip[index]):
            continue
        try:
            check_body(draft.body)
        except ActionRefused as refusal:
            outcomes[index] = refusal
            continue
        message = Message(room=draft.room, author=draft.user, txn_id=draft.txn_id, body=draft.body)
        rooms.setdefault(draft.room.pk, []).append((index, prepared(message)))
    return rooms


def plain_write(
    drafts: list[Draft], room_id: uuid.UUID, waiting: list[tuple[int, Message]]
) -> tuple[str, type[Message], list[dict[str, Any]], list[Event], Guard]:
    """What publish_rows() takes to store a room's plain messages."""
    messages = [message for _index, message in waiting]
    senders = {drafts[index].user.pk for index, _message in waiting}
    return (
        Room.stream_of(room_id),
        Message,
        [row(message) for message in messages],
        [created(message, []) for message in messages],
        plainly_writable(room_id, senders),
    )


WRITABLE = (
    "(SELECT count(*) FROM {members} member JOIN {rooms} room ON room.id = member.room_id "
    "WHERE room.id = %s AND room.archived_at IS NULL AND NOT member.banned "
    "AND member.user_id IN ({senders})) = %s "
    "AND NOT EXISTS (SELECT 1 FROM {members} other WHERE other.room_id = %s "
    "AND other.notify = %s AND NOT other.banned)"
)


def plainly_writable(room_id: uuid.UUID, senders: set[uuid.UUID]) -> Guard:
    """The guard of send_plain's write in a room."""
    room = sql.db_value(Room, "id", room_id)
    users = [sql.db_value(RoomMember, "user", sender) for sender in sorted(senders)]
    condition = WRITABLE.format(
        members=RoomMember._meta.db_table,
        rooms=Room._meta.db_table,
        senders=", ".join(["%s"] * len(users)),
    )
    return Guard(condition, (room, *users, len(users), room, NotifyLevel.ALL.value))


def over_limit(draft: Draft) -> Sent | ActionRefused:
    """The answer to a draft beyond the flood limit: a retry of a message already stored is
    not a new one."""
    existing = sent_before(author=draft.user, txn_id=draft.txn_id)
    if existing is None:
        return too_fast()
    try:
        return already_sent(existing, draft.room)
    except ActionRefused as refusal:
        return refusal


def retried(message: Message) -> Sent | ActionRefused:
    """The answer to a message whose txn_id its sender already used (nothing was stored)."""
    earlier = Message.objects.get(author=message.author_id, txn_id=message.txn_id)
    try:
        return already_sent(earlier, message.room)
    except ActionRefused as refusal:
        return refusal


def accept(draft: Draft) -> list[Attachment] | Sent:
    """May this be sent? Its files; or the earlier message if it is a retry with files."""
    user, room = draft.user, draft.room
    if draft.attachments and (existing := sent_before(author=user, txn_id=draft.txn_id)):
        return already_sent(existing, room)  # a retry would find its files already sent
    if not room.get_abilities(user)["post"]:
        raise ActionRefused(_("You cannot write in this room."))
    files = unsent_attachments(user, room, draft.attachments)
    check_body(draft.body, allow_empty=bool(files))
    return files


def drafted(draft: Draft) -> Message:
    user, room, body = draft.user, draft.room, draft.body
    if draft.reply_to is not None and not room.messages.filter(pk=draft.reply_to).exists():
        raise ActionRefused(_("The message you reply to is not in this room."))
    return Message(
        room=room,
        author=user,
        txn_id=draft.txn_id,
        body=body,
        reply_to_id=draft.reply_to,
        mentions_room=ROOM_MENTION.search(body) is not None
        and bool(room.get_abilities(user)["moderate"]),
    )


def send_as_guest(
    room: Room, guest: uuid.UUID, name: str, txn_id: str, body: str
) -> tuple[Message, bool]:
    """A guest without an account writes in a meeting's chat; Meet has checked that they are
    in the meeting. Same guarantees as send_message: idempotent, size and flood limits."""
    if existing := sent_before(guest=guest, txn_id=txn_id):
        return already_sent(existing, room)
    if room.kind != RoomKind.MEETING or room.archived_at is not None:
        raise ActionRefused(_("You cannot write in this room."))
    check_body(body)
    check_flood(guest)
    message = Message(room=room, guest=guest, guest_name=name, txn_id=txn_id, body=body)
    if stored := store(message, []):
        return stored, True
    return already_sent(Message.objects.get(guest=guest, txn_id=txn_id), room)


def sent_before(**sender_and_txn: Any) -> Message | None:
    """The message a sender (author= or guest=) already sent under txn_id=, if any."""
    return Message.objects.filter(**sender_and_txn).first()


def already_sent(message: Message, room: Room) -> tuple[Message, bool]:
    if message.room_id != room.pk:
        raise ActionRefused(_("This transaction id was already used in another room."))
    return message, False


def store(message: Message, files: list[Attachment]) -> Message | None:
    """Give the message its place in the room's stream, store it with its mentions and files,
    and publish it once committed; members are notified as they chose. None if its sender
    already used its txn_id (nothing is stored)."""
    return store_all([(message, files)])[0]


def store_all(messages: list[tuple[Message, list[Attachment]]]) -> list[Message | None]:
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

    for index, (message, files) in enumerate(messages):
        room = message.room
        prepared(message)
        mentioned = mentioned_members(room, message.body)
        if not (mentioned or files or message.mentions_room or room.notifies_every_message()):
            usual.setdefault(room.pk, []).append(index)
            continue
        store_usual(room.pk)  # those before it first, to keep the room's order
        with transaction.atomic():  # stored, numbered and published together, or not at all
            (seq,) = publish_rows(room.stream, Message, [row(message)], [created(message, files)])
            if numbered(message, seq):
                if mentioned:
                    message.mentions.set(mentioned)
                if files:
                    Attachment.objects.filter(pk__in=[file.pk for file in files]).update(
                        message=message
                    )
                notify_members(message, mentioned)
                stored[index] = message
    for room_id in list(usual):
        store_usual(room_id)
    return stored


def prepared(message: Message) -> Message:
    message.html = render(message.body)
    message.created_at = message.updated_at = timezone.now()
    return message


MESSAGE_COLUMNS = [column for column in Message._meta.concrete_fields if column.name != "seq"]


def row(message: Message) -> dict[str, Any]:
    return {column.attname: getattr(message, column.attname) for column in MESSAGE_COLUMNS}


def created(message: Message, files: list[Attachment]) -> MessageCreated:
    """The event of a new message (its seq filled in when it is stored)."""
    message.seq = 0
    # A new message has no reactions, and its files are known: no need to ask.
    message._prefetched_objects_cache = {"reactions": [], "attachments": files}  # type: ignore[attr-defined]
    return MessageCreated.model_validate(MessageSerializer(message).data)


def numbered(message: Message, seq: int | None) -> Message | None:
    """The message as stored at ``seq``, or None if it was not (a retry)."""
    if seq is None:
        return None
    message.seq = seq
    message._state.adding, message._state.db = False, "default"
    return message


def check_body(body: str, allow_empty: bool = False) -> None:
    if not body.strip() and not allow_empty:
        raise BadInput(_("A message cannot be empty."))
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(
            _("This message is too long (at most %(kib)s KiB). Split it or send it as a file.")
            % {"kib": MAX_MESSAGE_BYTES // 1024}
        )


MENTION = re.compile(r"(?<![\w@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


ROOM_MENTION = re.compile(r"(?<![\w@])@room\b")


def mentioned_members(room: Room, body: str) -> list[User]:
    """Members of the room named in the text as @their.address@example.fr."""
    emails = {email.lower().rstrip(".") for email in MENTION.findall(body)}
    if not emails:
        return []
    return list(
        User.objects.filter(
            email__in=emails, room_memberships__room=room, room_memberships__banned=False
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
        title = (
            _("%(author)s mentioned you in %(room)s") if named else _("%(author)s in %(room)s")
        ) % {"author": author_name, "room": message.room}
        notify(member.user, title, message.body[:200])
