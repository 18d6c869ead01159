"""Invitation e-mails are queued: the request only stores the invitation; the worker makes the
link and sends it, and the link it sends is the one that works."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ensemble.chat.models import RoomMember, RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.models import AuditEntry
from ensemble.core.tests.test_tasks import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitation_is_sent_by_the_worker_with_a_link_that_works(client_of: Any) -> None:
    moderator = RoomMemberFactory(role=RoomRole.MODERATOR, room__kind="external")
    room = moderator.room
    answer = client_of(moderator.user).post(
        f"/api/v1/chat/rooms/{room.pk}/invitations/",
        {"email": "prestataire@example.org"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert mail.outbox == []  # not sent by the request
    assert AuditEntry.objects.filter(action="accounts.invited").count() == 1
    run_worker()
    assert [message.to for message in mail.outbox] == [["prestataire@example.org"]]
    link = re.search(r"http\S+/accounts/invitations/(\S+)/", mail.outbox[0].body)
    assert link is not None
    accepted = Client().post(f"/accounts/invitations/{link.group(1)}/")
    assert accepted.status_code == 302
    assert RoomMember.objects.filter(room=room, user__email="prestataire@example.org").exists()
