"""The e-mail digest of unread mentions and direct messages, sent through a real SMTP server:
once per message, only what is still unread after the delay, in the reader's language."""

from __future__ import annotations

import email.header
import email.message
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.members import mark_read, set_notify_level
from ensemble.chat.actions.rooms import direct_room
from ensemble.chat.actions.sending import send_message
from ensemble.chat.digest import send_mention_digests
from ensemble.chat.models import Message, NotifyLevel, RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.core.tests.mailbox import Inbox, body_of

pytestmark = pytest.mark.django_db


def subject(message: email.message.Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def age_all(minutes: int) -> None:
    """Every message was sent ``minutes`` ago (as if the clock went on)."""
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def to(inbox: Inbox, person: Any) -> list[email.message.Message]:
    return [message for message in inbox.messages if message["To"] == person.email]


def test_unread_mentions_and_direct_messages_are_e_mailed_once(
    inbox: Inbox,
    settings: Any,
) -> None:
    settings.CHAT_DIGEST_MINUTES = 30
    organisation = UserFactory().organisation
    room = RoomFactory(kind=RoomKind.PRIVATE, name="Cellule budget", organisation=organisation)
    alice = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    bob = RoomMemberFactory(room=room, user=UserFactory(organisation=organisation)).user
    muted = RoomMemberFactory(room=room, notify=NotifyLevel.NONE).user
    reader = RoomMemberFactory(room=room).user
    colleague = UserFactory(organisation=alice.organisation)
    send_message(alice, room, "1", f"@{bob} le budget ?", mentions=[bob.pk, muted.pk, reader.pk])
    send_message(alice, room, "2", "Sans mention")
    direct, _created = direct_room(alice, colleague)
    send_message(alice, direct, "3", "Tu as un moment ?")
    mark_read(reader, room, 1)  # read in time: not e-mailed
    age_all(20)
    send_mention_digests.call()
    assert inbox.messages == []  # not unread long enough yet
    age_all(31)
    assert send_mention_digests.call() == {"sent": 2}
    (to_bob,) = to(inbox, bob)
    assert subject(to_bob) == "1 unread message for you in Ensemble"
    text = body_of(to_bob)
    assert f"@{bob} le budget" in text and "Sans mention" not in text
    assert f"Cellule budget · {alice}" in text
    assert f"/chat/{room.pk}/?at=1" in text
    (to_colleague,) = to(inbox, colleague)
    assert "Tu as un moment ?" in body_of(to_colleague)
    assert to(inbox, muted) == [] and to(inbox, reader) == [] and to(inbox, alice) == []
    send_mention_digests.call()  # once per message
    assert len(inbox.messages) == 2
    send_message(colleague, direct, "4", f"@room et @{alice} : oui", mentions=[alice.pk])
    age_all(31)  # the earlier ones too: they were e-mailed already
    send_mention_digests.call()
    (to_alice,) = to(inbox, alice)
    assert "oui" in body_of(to_alice) and "Tu as un moment" not in body_of(to_alice)


def test_the_digest_is_in_the_reader_s_language(inbox: Inbox, settings: Any) -> None:
    settings.CHAT_DIGEST_MINUTES = 30
    room = RoomFactory(kind=RoomKind.PRIVATE, name="Cellule")
    alice = RoomMemberFactory(room=room).user
    bob = RoomMemberFactory(room=room, user=UserFactory(language="fr")).user
    send_message(alice, room, "1", "un", mentions=[bob.pk])
    send_message(alice, room, "2", "deux", mentions=[bob.pk])
    age_all(45)
    send_mention_digests.call()
    (message,) = inbox.messages
    assert subject(message) == "2 messages non lus pour vous dans Ensemble"
    assert "Bonjour" in body_of(message)


def test_no_digest_when_turned_off_or_the_room_muted(inbox: Inbox, settings: Any) -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice, bob = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    send_message(alice, room, "1", "?", mentions=[bob.pk])
    age_all(45)
    settings.CHAT_DIGEST_MINUTES = 0
    assert send_mention_digests.call() == {"sent": 0}
    settings.CHAT_DIGEST_MINUTES = 30
    set_notify_level(bob, room, NotifyLevel.NONE)
    assert send_mention_digests.call() == {"sent": 0}
    set_notify_level(bob, room, NotifyLevel.MENTIONS)
    assert send_mention_digests.call() == {"sent": 1}
    assert inbox.messages[0]["To"] == bob.email


def test_nothing_older_than_a_day_is_sent(inbox: Inbox, settings: Any) -> None:
    settings.CHAT_DIGEST_MINUTES = 30
    room = RoomFactory(kind=RoomKind.PRIVATE)
    alice, bob = RoomMemberFactory(room=room).user, RoomMemberFactory(room=room).user
    send_message(alice, room, "1", "?", mentions=[bob.pk])
    age_all(60 * 25)
    assert send_mention_digests.call() == {"sent": 0}
