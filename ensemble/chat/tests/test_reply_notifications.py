"""Replies notify the author of the message answered, in their language, unless the reply
already told them (named in it, or they follow every message), the room is muted, or they
answered themselves."""

from __future__ import annotations

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import NotifyLevel, RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db


def titles(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_the_author_of_a_message_is_told_of_replies() -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE, name="Cellule budget")
    alice = RoomMemberFactory(room=room, user=UserFactory(full_name="Alice Martin")).user
    bob = RoomMemberFactory(room=room, user=UserFactory(full_name="Bob Durand")).user
    question, _new = send_message(alice, room, "1", "Le budget ?")
    reply, _new = send_message(bob, room, "2", "Validé hier", reply_to=question.pk)
    assert titles(alice) == ["Bob Durand replied to you in Cellule budget"]
    notice = Notification.objects.get(recipient=alice)
    assert (notice.body, notice.url) == ("Validé hier", f"/chat/{room.pk}/")
    send_message(alice, room, "3", "Merci", reply_to=question.pk)  # one's own reply
    send_message(alice, room, "4", "Et toi ?", reply_to=reply.pk)
    assert len(titles(alice)) == 1
    assert titles(bob) == ["Alice Martin replied to you in Cellule budget"]


def test_no_second_notice_when_the_reply_already_told_them() -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE, name="Salon")
    alice = RoomMemberFactory(room=room, role=RoomRole.ADMIN).user
    bob = RoomMemberFactory(room=room, role=RoomRole.MODERATOR).user
    everything = RoomMemberFactory(room=room, notify=NotifyLevel.ALL).user
    muted = RoomMemberFactory(room=room, notify=NotifyLevel.NONE).user
    first, _new = send_message(alice, room, "1", "Question")
    send_message(bob, room, "2", "réponse", reply_to=first.pk, mentions=[alice.pk])
    assert len(titles(alice)) == 1  # the mention, not a reply notice too
    send_message(bob, room, "3", "@room réponse", reply_to=first.pk)
    assert len(titles(alice)) == 2  # the @room notice only
    theirs, _new = send_message(everything, room, "4", "Remarque")
    send_message(bob, room, "5", "Noté", reply_to=theirs.pk)
    assert [t for t in titles(everything) if "replied" in t] == []  # told of every message
    silent, _new = send_message(muted, room, "6", "Remarque")
    send_message(bob, room, "7", "Noté", reply_to=silent.pk)
    assert titles(muted) == []


def test_the_notice_is_in_the_author_s_language() -> None:
    room = RoomFactory(kind=RoomKind.PRIVATE, name="Salon")
    alice = RoomMemberFactory(room=room, user=UserFactory(language="fr", full_name="Alice")).user
    bob = RoomMemberFactory(room=room, user=UserFactory(full_name="Bob")).user
    question, _new = send_message(alice, room, "1", "Le budget ?")
    send_message(bob, room, "2", "Oui", reply_to=question.pk)
    assert titles(alice) == ["Bob vous a répondu dans Salon"]
