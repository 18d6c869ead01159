"""Sending messages, by one path: a plan of the send (checks, flood control, txn_id retries,
files, mentions) worked out once, then run by one of two executors: send() in the database
thread (every caller: REST, socket, Meet), or send_in_loop() in the server's event loop
(PostgreSQL, ADR 0005), which stores plain messages and leaves the rest to send()."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat import storage
from ensemble.chat.actions.attachments import unsent_attachments
from ensemble.chat.actions.storing import (
    ROOM_MENTION,
    Stored,
    created,
    numbered,
    prepared,
    row,
    store_all,
)
from ensemble.chat.api.serializers import MAX_MESSAGE_BYTES
from ensemble.chat.models import Attachment, Message, Room
from ensemble.chat.posting import may_post
from ensemble.core.counters import add_ones, add_ones_in_loop
from ensemble.core.events import Event, Guard, publish_rows, publish_rows_in_loop
from ensemble.core.refusals import BadInput, TooFast


class MessageTooLarge(ActionRefused):
    status_code = 413


class SendingTooFast(TooFast):
    pass


class NoSuchRoom(ActionRefused):
    status_code = 404


@dataclass
class Guest:
    """A guest of a meeting, without an account (Meet has checked that they are in it)."""

    id: uuid.UUID
    name: str


@dataclass
class Draft:
    """A message someone asks to send: ``user`` or ``guest`` sends it."""

    room: Room
    txn_id: str
    body: str
    user: User | None = None
    guest: Guest | None = None
    reply_to: uuid.UUID | None = None
    attachments: list[uuid.UUID] = field(default_factory=list)
    mentions: list[uuid.UUID] = field(default_factory=list)  # people named, by id
    room_read: bool = True  # False: ``room`` is its id alone (the socket's sends)

    @property
    def sender(self) -> uuid.UUID:
        return self.user.pk if self.user is not None else self.guest.id  # type: ignore[union-attr]

    @property
    def sent_by(self) -> dict[str, Any]:
        return {"author": self.user} if self.user is not None else {"guest": self.sender}

    @property
    def plain(self) -> bool:
        """Text alone from a person with an account: no files, reply or mention."""
        return not (
            self.guest is not None
            or self.attachments
            or self.reply_to is not None
            or self.mentions
            or ROOM_MENTION.search(self.body)
        )


Sent = tuple[Message, bool]  # the message, and whether it is new (False: a retry's answer)
Outcome = Sent | ActionRefused


def send_message(
    user: User,
    room: Room,
    txn_id: str,
    body: str,
    reply_to: uuid.UUID | None = None,
    attachments: list[uuid.UUID] | None = None,
    mentions: list[uuid.UUID] | None = None,
) -> Sent:
    """Store a message and publish it; (message, created). A retry with the same ``txn_id``
    returns the first message and creates nothing. ``attachments`` are files uploaded to the
    room beforehand (upload_attachment) and not yet sent; ``mentions`` the ids of the
    members it names."""
    draft = Draft(room, txn_id, body, user, None, reply_to, attachments or [], mentions or [])
    return one(send([draft]))


def send_as_guest(room: Room, guest: uuid.UUID, name: str, txn_id: str, body: str) -> Sent:
    """A guest without an account writes in a meeting's chat (Meet has checked that they are
    in the meeting); the same path and guarantees as send_message."""
    return one(send([Draft(room, txn_id, body, guest=Guest(guest, name))]))


def one(outcomes: list[Outcome]) -> Sent:
    if isinstance(outcomes[0], ActionRefused):
        raise outcomes[0]
    return outcomes[0]


RoomReader = Any  # (drafts whose room is an id) -> their rooms, None where they may not post


class SendPlan:
    """What sending these drafts takes, worked out once: each sender's flood-control key, the
    drafts that may be stored without reading their room ("quick": plain, in a room where
    every draft is plain, so that a room's messages keep their order), their messages and
    the guarded write of each room; and the answers so far. send() and send_in_loop() run
    it, each on its own executor."""

    def __init__(self, drafts: list[Draft]) -> None:
        self.drafts = drafts
        self.answers: list[Outcome | None] = [None] * len(drafts)
        self.counted = [False] * len(drafts)  # by flood control, in this executor
        self.keys = flood_keys([draft.sender for draft in drafts])
        slow = {draft.room.pk for draft in drafts if draft.room_read or not draft.plain}
        self.quick = [index for index, draft in enumerate(drafts) if draft.room.pk not in slow]

    def quick_writes(self, allowed: list[bool]) -> list[RoomWrite]:
        """The guarded write of each room for the quick drafts within the flood limit
        (``allowed``, in the order of ``quick``); a text refused gets its answer."""
        rooms: dict[uuid.UUID, RoomWrite] = {}
        for index, within_limit in zip(self.quick, allowed, strict=True):
            draft = self.drafts[index]
            if not within_limit or self.answers[index] is not None:
                continue
            try:
                check_body(draft.body)
            except ActionRefused as refusal:
                self.answers[index] = refusal
                continue
            message = Message(
                room=draft.room, author=draft.user, txn_id=draft.txn_id, body=draft.body
            )
            write = rooms.setdefault(draft.room.pk, RoomWrite(draft.room.pk))
            write.add(index, prepared(message), draft.sender)
        return list(rooms.values())

    def stored(self, write: RoomWrite, places: list[int | None], answer_retries: bool) -> None:
        """The answers of a room's write that went: a new message, or (answer_retries) the
        first one of a txn_id its sender already used."""
        for index, message, seq in zip(write.indices, write.messages, places, strict=True):
            if numbered(message, seq) is not None:
                self.answers[index] = (message, True)
            elif answer_retries:
                self.answers[index] = retried(message)

    def waiting(self, among: list[int] | None = None) -> list[int]:
        indices = range(len(self.drafts)) if among is None else among
        return [index for index in indices if self.answers[index] is None]

    def count(self, indices: list[int], counts: list[int]) -> list[bool]:
        """Whether each sender is within the flood limit after these counts."""
        for index in indices:
            self.counted[index] = True
        return [number <= settings.CHAT_FLOOD_MESSAGES for number in counts]


@dataclass
class RoomWrite:
    """Plain messages of one room, stored in one write guarded by may-post (storage)."""

    room: uuid.UUID
    indices: list[int] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    senders: set[uuid.UUID] = field(default_factory=set)

    def add(self, index: int, message: Message, sender: uuid.UUID) -> None:
        self.indices.append(index)
        self.messages.append(message)
        self.senders.add(sender)

    def args(self) -> tuple[str, type[Message], list[dict[str, Any]], list[Event], Guard]:
        """What publish_rows() and publish_rows_in_loop() take."""
        return (
            Room.stream_of(self.room),
            Message,
            [row(message) for message in self.messages],
            [created(message, []) for message in self.messages],
            storage.plain_send_guard(self.room, self.senders),
        )


FLOOD_TIMEOUT = 2  # windows a count is kept


def flood_keys(senders: list[uuid.UUID]) -> list[str]:
    """Flood control: at most CHAT_FLOOD_MESSAGES new messages per CHAT_FLOOD_SECONDS for
    each person (a user, or a guest of a meeting), counted in the cache under these keys."""
    window = int(time.time() // settings.CHAT_FLOOD_SECONDS)
    return [f"chat.flood.{sender}.{window}" for sender in senders]


def send(drafts: list[Draft], read_rooms: RoomReader | None = None) -> list[Outcome]:
    """The database thread's executor: every draft gets its answer. Quick drafts first, one
    guarded write per room; then the others (and those whose room's guard did not hold),
    their rooms read if they were not (``read_rooms``), checked one by one and stored by
    store_all. Flood control counts each message once, one round trip per stage."""
    plan = SendPlan(drafts)
    timeout = settings.CHAT_FLOOD_SECONDS * FLOOD_TIMEOUT
    quick = plan.quick
    allowed = plan.count(quick, add_ones([plan.keys[index] for index in quick], timeout))
    for index, within_limit in zip(quick, allowed, strict=True):
        if not within_limit:
            plan.answers[index] = over_limit(drafts[index])
    for write in plan.quick_writes(allowed):
        places = publish_rows(*write.args())
        if places is not None:  # else the guard did not hold: the usual way says why
            plan.stored(write, places, answer_retries=True)
    unread = [index for index in plan.waiting() if not drafts[index].room_read]
    if unread:
        rooms = read_rooms([drafts[index] for index in unread]) if read_rooms else []
        for index, room in zip(unread, rooms or [None] * len(unread), strict=True):
            if room is None:
                plan.answers[index] = NoSuchRoom(_("No such room, or you are not in it."))
            else:
                drafts[index].room, drafts[index].room_read = room, True
    send_usual(plan, plan.waiting())
    return plan.answers  # type: ignore[return-value]


async def send_in_loop(drafts: list[Draft]) -> list[Outcome | None]:
    """The event loop's executor (PostgreSQL, core/loopdb.py): flood control and each room's
    guarded write of quick drafts without a trip to the database thread. A draft that gets
    None is for send(), and was not counted here (its count is taken back): not quick,
    beyond the flood limit, a guard that did not hold, a retry, or no connection."""
    plan = SendPlan(drafts)
    timeout = settings.CHAT_FLOOD_SECONDS * FLOOD_TIMEOUT
    keys = [plan.keys[index] for index in plan.quick]
    allowed = plan.count(plan.quick, await add_ones_in_loop(keys, timeout))
    for write in plan.quick_writes(allowed):
        places = await publish_rows_in_loop(*write.args())
        if places is not None:
            plan.stored(write, places, answer_retries=False)
    if undo := [plan.keys[index] for index in plan.waiting(plan.quick)]:
        await add_ones_in_loop(undo, timeout, step=-1)
    return plan.answers


def send_usual(plan: SendPlan, indices: list[int]) -> None:
    """Drafts whose room was read: checked one by one, counted by flood control (those not
    counted yet), then stored together (store_all)."""
    accepted: list[tuple[int, list[Attachment]]] = []
    for index in indices:
        try:
            files = accept(plan.drafts[index])
        except ActionRefused as refusal:
            plan.answers[index] = refusal
            continue
        if isinstance(files, tuple):  # a retry
            plan.answers[index] = files
        else:
            accepted.append((index, files))
    counting = [index for index, _files in accepted if not plan.counted[index]]
    timeout = settings.CHAT_FLOOD_SECONDS * FLOOD_TIMEOUT
    counts = add_ones([plan.keys[index] for index in counting], timeout)
    allowed = dict(zip(counting, plan.count(counting, counts), strict=True))
    kept: list[int] = []  # the index of each message
    messages: list[Stored] = []
    for index, files in accepted:
        draft = plan.drafts[index]
        if not allowed.get(index, True):
            plan.answers[index] = over_limit(draft)
            continue
        try:
            messages.append((drafted(draft), files, draft.mentions))
            kept.append(index)
        except ActionRefused as refusal:
            plan.answers[index] = refusal
    stored = store_all(messages)
    for index, (message, _files, _named), result in zip(kept, messages, stored, strict=True):
        plan.answers[index] = (result, True) if result is not None else retried(message)


def accept(draft: Draft) -> list[Attachment] | Sent:
    """May this be sent? Its files; or the earlier message if it is a retry with files."""
    room = draft.room
    if draft.attachments and (existing := sent_before(draft.sent_by, draft.txn_id)):
        return already_sent(existing, room)  # a retry would find its files already sent
    if not may_post(room, draft.user):
        raise ActionRefused(_("You cannot write in this room."))
    files = unsent_attachments(draft.user, room, draft.attachments) if draft.user else []
    check_body(draft.body, allow_empty=bool(files))
    return files


def drafted(draft: Draft) -> Message:
    room, body = draft.room, draft.body
    if draft.reply_to is not None and not room.messages.filter(pk=draft.reply_to).exists():
        raise ActionRefused(_("The message you reply to is not in this room."))
    guest = draft.guest
    return Message(
        room=room,
        author=draft.user,
        guest=guest.id if guest else None,
        guest_name=guest.name if guest else "",
        txn_id=draft.txn_id,
        body=body,
        reply_to_id=draft.reply_to,
        mentions_room=ROOM_MENTION.search(body) is not None
        and draft.user is not None
        and bool(room.get_abilities(draft.user)["moderate"]),
    )


def over_limit(draft: Draft) -> Outcome:
    """The answer to a draft beyond the flood limit: a retry of a message already stored is
    not a new one."""
    existing = sent_before(draft.sent_by, draft.txn_id)
    if existing is None:
        return SendingTooFast(
            _("You are sending messages too fast. Wait a few seconds and try again.")
        )
    try:
        return already_sent(existing, draft.room)
    except ActionRefused as refusal:
        return refusal


def retried(message: Message) -> Outcome:
    """The answer to a message whose txn_id its sender already used (nothing was stored)."""
    sender = {"author": message.author_id} if message.author_id else {"guest": message.guest}
    earlier = sent_before(sender, message.txn_id)
    try:
        return already_sent(earlier, message.room)  # type: ignore[arg-type]
    except ActionRefused as refusal:
        return refusal


def sent_before(sender: dict[str, Any], txn_id: str) -> Message | None:
    """The message a sender (author= or guest=) already sent under ``txn_id``, if any."""
    return Message.objects.filter(**sender, txn_id=txn_id).first()


def already_sent(message: Message, room: Room) -> Sent:
    if message.room_id != room.pk:
        raise ActionRefused(_("This transaction id was already used in another room."))
    return message, False


def check_body(body: str, allow_empty: bool = False) -> None:
    if not body.strip() and not allow_empty:
        raise BadInput(_("A message cannot be empty."))
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(
            _("This message is too long (at most %(kib)s KiB). Split it or send it as a file.")
            % {"kib": MAX_MESSAGE_BYTES // 1024}
        )
