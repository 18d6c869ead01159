"""Changing sent messages: edit, delete, reactions, pins."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat.actions.sending import check_body
from ensemble.chat.events import (
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    ReactionChanged,
)
from ensemble.chat.markdown import render
from ensemble.chat.models import Attachment, Message, MessageRevision, Reaction
from ensemble.chat.posting import may_post
from ensemble.core import audit
from ensemble.core.events import publish
from ensemble.core.models import StreamEvent
from ensemble.core.text import one_emoji


def edit_message(user: User, message: Message, body: str) -> Message:
    """The author changes the text; the earlier text is kept in the message's history."""
    if message.author_id != user.pk or message.deleted_at is not None:
        raise ActionRefused(_("Only the author can edit a message, and not a deleted one."))
    if not may_post(message.room, user):
        raise ActionRefused(_("You cannot write in this room."))
    check_body(body)
    with transaction.atomic():
        MessageRevision.objects.create(message=message, body=message.body)
        html = render(body, list(message.mentions.all()))  # those it named stay named
        message.body, message.html, message.edited_at = body, html, timezone.now()
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


def react(user: User, message: Message, emoji: str, on: bool) -> None:
    """Add (on) or take back (off) one's reaction; doing it twice changes nothing."""
    emoji = emoji.strip()
    if not one_emoji(emoji):
        raise ActionRefused(_("A reaction is one emoji."))
    if not may_post(message.room, user) or message.deleted_at is not None:
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
