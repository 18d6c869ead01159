"""Every write of the chat: validated, stored, audited where it matters, published on commit."""

from __future__ import annotations

import csv
import io
import os
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.guests import invitable, invite
from ensemble.accounts.models import User
from ensemble.chat.api.serializers import MAX_MESSAGE_BYTES, MessageSerializer
from ensemble.chat.events import (
    MemberChanged,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    ReactionChanged,
    ReadMarker,
    RoomUpdated,
)
from ensemble.chat.markdown import render
from ensemble.chat.models import (
    Attachment,
    Message,
    MessageRevision,
    NotifyLevel,
    Reaction,
    Room,
    RoomKind,
    RoomMember,
    RoomRole,
)
from ensemble.core import audit, sql
from ensemble.core.counters import add_ones, add_ones_in_loop
from ensemble.core.events import (
    Event,
    Guard,
    current_seq,
    publish,
    publish_rows,
    publish_rows_in_loop,
)
from ensemble.core.files import INLINE_IMAGES, human_size, picture
from ensemble.core.models import StreamEvent
from ensemble.core.refusals import BadInput, TooFast
from ensemble.core.text import one_emoji
from ensemble.portal.actions import notify, user_stream


class MessageTooLarge(ActionRefused):
    status_code = 413


class SendingTooFast(TooFast):
    pass


class FileTooLarge(MessageTooLarge):
    pass


MAX_ATTACHMENTS = 10


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


def create_room(user: User, kind: str, name: str, topic: str = "") -> Room:
    if user.is_external:
        raise ActionRefused(_("External users cannot create rooms."))
    if kind == RoomKind.FORUM and user.organisation_id is None:
        raise ActionRefused(_("Only members of an organisation can create forums."))
    with transaction.atomic():
        room = Room.objects.create(
            kind=kind,
            name=name.strip(),
            topic=topic.strip(),
            organisation_id=user.organisation_id,
            created_by=user,
        )
        RoomMember.objects.create(room=room, user=user, role=RoomRole.ADMIN)
    return room


def join_room(user: User, room: Room) -> RoomMember:
    if not room.get_abilities(user)["join"]:
        raise ActionRefused(_("You cannot join this room: ask one of its members to invite you."))
    with transaction.atomic():
        member, created = RoomMember.objects.get_or_create(room=room, user=user)
        if created:
            member_changed(room, user, member.role, "joined")
    return member


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


def unsent_attachments(user: User, room: Room, ids: list[uuid.UUID]) -> list[Attachment]:
    wanted = set(ids)
    if not wanted:
        return []
    if len(wanted) > MAX_ATTACHMENTS:
        raise BadInput(_("At most %(n)s files in one message.") % {"n": MAX_ATTACHMENTS})
    files = list(
        Attachment.objects.filter(pk__in=wanted, room=room, uploaded_by=user, message__isnull=True)
    )
    if len(files) != len(wanted):
        raise BadInput(_("A file of this message was not found in this room, or was already sent."))
    return files


def upload_attachment(user: User, room: Room, upload: UploadedFile) -> Attachment:
    """Keep an uploaded file (encrypted) until a message sends it; pictures get a thumbnail."""
    if not room.get_abilities(user)["post"]:
        raise ActionRefused(_("You cannot write in this room."))
    check_size(upload, settings.CHAT_ATTACHMENT_MAX_BYTES)
    if not upload.size:
        raise BadInput(_("The file is empty."))
    image = picture(upload.file or upload)
    declared = (upload.content_type or "")[:100]
    attachment = Attachment(
        room=room,
        uploaded_by=user,
        name=clean_file_name(upload.name or ""),
        # Only what Pillow read as a picture may ever be shown inline by a browser.
        content_type=image.content_type
        if image
        else (
            declared if declared and declared not in INLINE_IMAGES else "application/octet-stream"
        ),
        size=upload.size,
        width=image.width if image else None,
        height=image.height if image else None,
    )
    attachment.file.save("file", upload, save=False)
    if image is not None:
        attachment.thumbnail.save(image.thumbnail.name or "thumbnail", image.thumbnail, save=False)
    attachment.save()
    return attachment


def check_size(upload: UploadedFile, limit: int) -> None:
    if (upload.size or 0) > limit:
        raise FileTooLarge(
            _("This file is larger than %(size)s, the largest this server accepts.")
            % {"size": human_size(limit)}
        )


def clean_file_name(name: str) -> str:
    """The last part of the name the uploader gave, without control characters."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:] or _("file")


def check_body(body: str, allow_empty: bool = False) -> None:
    if not body.strip() and not allow_empty:
        raise BadInput(_("A message cannot be empty."))
    if len(body.encode()) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(
            _("This message is too long (at most %(kib)s KiB). Split it or send it as a file.")
            % {"kib": MAX_MESSAGE_BYTES // 1024}
        )


def edit_message(user: User, message: Message, body: str) -> Message:
    """The author changes the text; the earlier text is kept in the message's history."""
    if message.author_id != user.pk or message.deleted_at is not None:
        raise ActionRefused(_("Only the author can edit a message, and not a deleted one."))
    if not message.room.get_abilities(user)["post"]:
        raise ActionRefused(_("You cannot write in this room."))
    check_body(body)
    with transaction.atomic():
        MessageRevision.objects.create(message=message, body=message.body)
        message.body, message.html, message.edited_at = body, render(body), timezone.now()
        message.save(update_fields=["body", "html", "edited_at", "updated_at"])
        publish(
            message.room.stream,
            MessageEdited(id=message.pk, body=message.body, html=message.html, edited=True),
        )
    return message


def delete_message(user: User, message: Message) -> Message:
    """The author or a moderator removes the content; a trace of the message stays."""
    abilities = message.room.get_abilities(user)
    if message.author_id != user.pk and not abilities["moderate"]:
        raise ActionRefused(_("Only the author or a moderator can delete a message."))
    if message.deleted_at is not None:
        return message
    with transaction.atomic():
        message.revisions.all().delete()
        Reaction.objects.filter(message=message).delete()
        for attachment in Attachment.objects.filter(message=message):
            attachment.delete()
        message.body = message.html = ""
        message.deleted_at, message.pinned_at = timezone.now(), None
        message.save(update_fields=["body", "html", "deleted_at", "pinned_at", "updated_at"])
        if message.author_id != user.pk:
            audit.record(
                "chat.message_deleted_by_moderator",
                actor=user,
                target=message.room,
                data={"message": str(message.pk)},
            )
        forget_in_stream(message)
        publish(message.room.stream, MessageDeleted(id=message.pk))
    return message


def forget_in_stream(message: Message) -> None:
    """Blank what the room's stored events say of a deleted message (its text, its files),
    so that a reader catching up from the start does not read it again."""
    said = StreamEvent.objects.filter(
        stream=message.room.stream,
        type__in=[MessageCreated.type, MessageEdited.type],
        payload__id=str(message.pk),
    )
    for event in said:
        payload = {**event.payload, "body": "", "html": ""}
        if "attachments" in payload:
            payload["attachments"] = []
        if "deleted" in payload:
            payload["deleted"] = True
        StreamEvent.objects.filter(pk=event.pk).update(payload=payload)


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


def mark_read(user: User, room: Room, seq: int) -> RoomMember:
    """Move the reader's marker forward (never back, never past the last message)."""
    member = room.membership(user)
    if member is None:
        raise ActionRefused(_("Only members of a room have read markers."))
    latest = current_seq(room.stream)
    target = min(max(seq, 0), latest)
    with transaction.atomic():
        updated = RoomMember.objects.filter(pk=member.pk, last_read_seq__lt=target).update(
            last_read_seq=target
        )
        if updated:
            publish(user_stream(user), ReadMarker(room=room.pk, seq=target))
    member.refresh_from_db()
    return member


def set_notify_level(user: User, room: Room, level: str) -> RoomMember:
    member = room.membership(user)
    if member is None:
        raise ActionRefused(_("Only members of a room choose its notifications."))
    member.notify = level
    member.save(update_fields=["notify", "updated_at"])
    return member


def member_changed(room: Room, user: User, role: str | None, state: str) -> None:
    publish(room.stream, MemberChanged(user=user.pk, name=str(user), role=role, state=state))


def update_room(actor: User, room: Room, name: str | None, topic: str | None) -> Room:
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation has no name or topic."))
    if not room.get_abilities(actor)["update"]:
        raise ActionRefused(_("Only the room's moderators and administrators can change it."))
    with transaction.atomic():
        room.name = room.name if name is None else name.strip()[:200]
        room.topic = room.topic if topic is None else topic.strip()[:500]
        room.save(update_fields=["name", "topic", "updated_at"])
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=False))
    return room


def archive_room(actor: User, room: Room) -> Room:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators can archive it."))
    with transaction.atomic():
        room.archived_at = timezone.now()
        room.save(update_fields=["archived_at", "updated_at"])
        audit.record("chat.room_archived", actor=actor, target=room)
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=True))
    return room


def may_enter(room: Room, user: User) -> None:
    """The kind of a room decides who may be in it."""
    if room.kind == RoomKind.MEETING:
        raise ActionRefused(_("The people of a meeting's chat are those admitted to the meeting."))
    if user.is_external and room.kind != RoomKind.EXTERNAL:
        raise ActionRefused(_("External users can only be in external rooms."))
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation is between its two people only."))


RANKS = {RoomRole.MEMBER: 1, RoomRole.MODERATOR: 2, RoomRole.ADMIN: 3}


def locked(room: Room) -> Room:
    """Lock the room's row until the transaction ends, so that checks of its members (one
    administrator at least) and the change they allow happen as one (SQLite's transactions
    are IMMEDIATE: one writer at a time already)."""
    return Room.objects.select_for_update().get(pk=room.pk)


def add_member(actor: User, room: Room, user: User, role: str = RoomRole.MEMBER) -> RoomMember:
    abilities = room.get_abilities(actor)
    if not abilities["moderate"] or room.archived_at is not None:
        raise ActionRefused(_("Only the room's moderators and administrators can add people."))
    if role != RoomRole.MEMBER and not abilities["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators give roles."))
    may_enter(room, user)
    if user.is_external:
        role = RoomRole.MEMBER
    with transaction.atomic():
        member, created = RoomMember.objects.get_or_create(
            room=room, user=user, defaults={"role": role}
        )
        if member.banned:
            raise ActionRefused(_("This person is banned from the room: lift the ban first."))
        if created:
            member_changed(room, user, member.role, "joined")
    return member


def remove_member(actor: User, room: Room, user: User, *, ban: bool = False) -> None:
    """Leave (oneself), or remove or ban someone (moderators)."""
    member = room.members.filter(user=user).first()
    if member is None:
        raise ActionRefused(_("This person is not in the room."))
    leaving = actor.pk == user.pk and not ban
    if not leaving and not room.get_abilities(actor)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators can remove people."))
    if not leaving and not outranks(room, actor, member):
        raise ActionRefused(_("Moderators cannot remove or ban administrators or moderators."))
    with transaction.atomic():
        locked(room)
        member = room.members.filter(pk=member.pk).first()  # as it is now, under the lock
        if member is None:
            raise ActionRefused(_("This person is not in the room."))
        keep_an_admin(room, member)
        if ban:
            member.banned, member.role = True, RoomRole.MEMBER
            member.save(update_fields=["banned", "role", "updated_at"])
            audit.record(
                "chat.member_banned", actor=actor, target=room, data={"user": str(user.pk)}
            )
        else:
            member.delete()
            if not leaving:
                audit.record(
                    "chat.member_removed", actor=actor, target=room, data={"user": str(user.pk)}
                )
        member_changed(room, user, None, "banned" if ban else ("left" if leaving else "removed"))


def outranks(room: Room, actor: User, member: RoomMember) -> bool:
    """Whether ``actor`` may remove or ban ``member``: administrators anyone, moderators
    members only."""
    mine = room.members.filter(user=actor, banned=False).values_list("role", flat=True).first()
    if mine == RoomRole.ADMIN:
        return True
    return RANKS.get(RoomRole(mine), 0) > RANKS[RoomRole(member.role)] if mine else False


def keep_an_admin(room: Room, member: RoomMember) -> None:
    """Refuse to take away the last administrator of a room that has other members (the
    caller holds the room's lock)."""
    if member.role != RoomRole.ADMIN or member.banned:
        return
    others = room.members.filter(role=RoomRole.ADMIN, banned=False).exclude(pk=member.pk)
    if not others.exists() and room.members.exclude(pk=member.pk).exists():
        raise ActionRefused(_("Name another administrator before the last one leaves."))


def set_member_role(actor: User, room: Room, user: User, role: str) -> RoomMember:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators can change roles."))
    member = room.members.filter(user=user, banned=False).first()
    if member is None:
        raise ActionRefused(_("This person is not in the room."))
    if user.is_external and role != RoomRole.MEMBER:
        raise ActionRefused(_("An external user can only be a member."))
    with transaction.atomic():
        locked(room)
        member = room.members.filter(pk=member.pk, banned=False).first()
        if member is None:
            raise ActionRefused(_("This person is not in the room."))
        if role != RoomRole.ADMIN:
            keep_an_admin(room, member)
        member.role = role
        member.save(update_fields=["role", "updated_at"])
        audit.record(
            "chat.member_role_changed",
            actor=actor,
            target=room,
            data={"user": str(user.pk), "role": role},
        )
        member_changed(room, user, role, "role")
    return member


def create_meeting_room(title: str, link: str, organiser: User | None) -> Room:
    """The chat of a meeting (Meet makes it when the first person is admitted); its topic is
    the meeting's link, for those who read it later in Chat."""
    return Room.objects.create(
        kind=RoomKind.MEETING,
        name=title[:200],
        topic=link[:500],
        organisation_id=organiser.organisation_id if organiser else None,
        created_by=organiser,
    )


def set_meeting_member(room: Room, user: User, role: str | None) -> None:
    """Meet decides who is in a meeting's chat: the people it admits, with the role they have
    in the meeting (None takes someone out). A ban from the chat stays a ban."""
    member = room.members.filter(user=user).first()
    with transaction.atomic():
        if role is None:
            if member is not None and not member.banned:
                member.delete()
                member_changed(room, user, None, "removed")
        elif member is None:
            RoomMember.objects.create(room=room, user=user, role=role)
            member_changed(room, user, role, "joined")
        elif member.role != role and not member.banned:
            member.role = role
            member.save(update_fields=["role", "updated_at"])
            member_changed(room, user, role, "role")


def join_by_invitation(invitation: Any, user: User) -> None:
    room = Room.objects.get(pk=invitation.target_id)
    may_enter(room, user)
    member, created = RoomMember.objects.get_or_create(
        room=room,
        user=user,
        defaults={"role": RoomRole.MEMBER if user.is_external else invitation.role},
    )
    if created:
        member_changed(room, user, member.role, "joined")


invitable(Room, join_by_invitation)


def react(user: User, message: Message, emoji: str, on: bool) -> None:
    """Add (on) or take back (off) one's reaction; doing it twice changes nothing."""
    emoji = emoji.strip()
    if not one_emoji(emoji):
        raise ActionRefused(_("A reaction is one emoji."))
    if not message.room.get_abilities(user)["post"] or message.deleted_at is not None:
        raise ActionRefused(_("You cannot react to this message."))
    with transaction.atomic():
        if on:
            _reaction, changed = Reaction.objects.get_or_create(
                message=message, user=user, emoji=emoji
            )
        else:
            changed = bool(
                Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()[0]
            )
        if changed:
            publish(
                message.room.stream,
                ReactionChanged(message=message.pk, emoji=emoji, user=user.pk, on=on),
            )


def pin(user: User, message: Message, pinned: bool) -> Message:
    if not message.room.get_abilities(user)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators pin messages."))
    if pinned and message.deleted_at is not None:
        raise ActionRefused(_("A deleted message cannot be pinned."))
    if (message.pinned_at is not None) == pinned:
        return message
    with transaction.atomic():
        message.pinned_at = timezone.now() if pinned else None
        message.save(update_fields=["pinned_at", "updated_at"])
        publish(message.room.stream, MessagePinned(id=message.pk, pinned=pinned))
    return message


def direct_room(user: User, other: User) -> tuple[Room, bool]:
    """The direct conversation of two people (found or created); (room, created)."""
    if other.pk == user.pk:
        raise ActionRefused(_("A direct conversation needs another person."))
    if not other.is_active:
        raise ActionRefused(_("This account is deactivated."))
    colleagues = (
        not user.is_external
        and not other.is_external
        and user.organisation_id is not None
        and user.organisation_id == other.organisation_id
    )
    share_a_room = RoomMember.objects.filter(
        user=other, banned=False, room__members__user=user, room__members__banned=False
    ).exists()
    if not (colleagues or share_a_room):
        raise ActionRefused(
            _("You can only write directly to colleagues or to people you share a room with.")
        )
    key = Room.direct_key_of(user, other)
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            room = Room.objects.create(
                kind=RoomKind.DIRECT,
                organisation_id=user.organisation_id,
                created_by=user,
                direct_key=key,
            )
            RoomMember.objects.create(room=room, user=user)
            RoomMember.objects.create(room=room, user=other)
    except IntegrityError:  # opened at the same moment by the other one: theirs is ours
        return Room.objects.get(direct_key=key), False
    return room, True


CSV_MAX_ROWS = 500


def invite_from_csv(request: Any, actor: User, room: Room, text: str) -> dict[str, list[str]]:
    """Invite every e-mail address found in a CSV export (one per row, any column)."""
    if not room.get_abilities(actor)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators invite."))
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > CSV_MAX_ROWS:
        raise BadInput(_("At most %(n)s rows at a time.") % {"n": CSV_MAX_ROWS})
    report: dict[str, list[str]] = {"invited": [], "added": [], "refused": []}
    for row in rows:
        email = next((cell.strip() for cell in row if "@" in cell), None)
        if email is None:
            continue
        try:
            sent = invite(request, actor, room, email, RoomRole.MEMBER)
        except ActionRefused:
            report["refused"].append(email)
        else:
            report["invited" if sent is not None else "added"].append(email.lower())
    return report


def set_retention(actor: User, room: Room, days: int | None) -> Room:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators set its retention."))
    with transaction.atomic():
        room.retention_days = days
        room.save(update_fields=["retention_days", "updated_at"])
        audit.record("chat.retention_set", actor=actor, target=room, data={"days": days})
    return room


AVATAR_BOX = (256, 256)
AVATAR_MAX_BYTES = 10_000_000


def set_avatar(actor: User, room: Room, upload: UploadedFile | None) -> Room:
    """A picture for the room (moderators), kept as a 256-pixel image; None removes it."""
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation has no avatar."))
    if not room.get_abilities(actor)["update"]:
        raise ActionRefused(_("Only the room's moderators and administrators can change it."))
    image = None
    if upload is not None:
        check_size(upload, AVATAR_MAX_BYTES)
        image = picture(upload.file or upload, AVATAR_BOX)
        if image is None:
            raise BadInput(_("The avatar must be a picture (PNG, JPEG, GIF or WebP)."))
    old = room.avatar.name if room.avatar else ""
    with transaction.atomic():
        if image is not None:
            room.avatar.save(image.thumbnail.name or "thumbnail", image.thumbnail, save=False)
        else:
            room.avatar = None
        room.save(update_fields=["avatar", "updated_at"])
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=False))
    if old:
        storage = room.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
    return room
