"""A member told of a message (named in it, or told of every message) reads the notice in their
own language, not in the sender's (as a reply's notice, chat/replies.py): the sending plan runs
in the sender's language, on REST as on the socket."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import NotifyLevel
from ensemble.chat.tests.factories import RoomFactory, RoomMemberFactory
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db


def test_a_mention_notice_is_in_the_language_of_the_person_named(client_of: Any) -> None:
    room = RoomFactory(name="Budget")
    writer = RoomMemberFactory(room=room, user=UserFactory(full_name="Aline", language="fr"))
    english = RoomMemberFactory(room=room, user=UserFactory(full_name="Ben", language="en"))
    everything = RoomMemberFactory(
        room=room, user=UserFactory(language="en"), notify=NotifyLevel.ALL
    )
    french = RoomMemberFactory(room=room, user=UserFactory(full_name="Chloé", language="fr"))
    client = client_of(writer.user)
    sent = client.post(
        f"/api/v1/chat/rooms/{room.pk}/messages/",
        {
            "txn_id": "m1",
            "body": "@Ben @Chloé",
            "mentions": [str(english.user.pk), str(french.user.pk)],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert sent.status_code == 201
    titles = {
        notice.recipient_id: notice.title
        for notice in Notification.objects.filter(body="@Ben @Chloé")
    }
    assert titles[english.user.pk] == "Aline mentioned you in Budget"
    assert titles[everything.user.pk] == "Aline in Budget"
    assert titles[french.user.pk] == "Aline vous a mentionné dans Budget"
