"""The e-mail digest: mentions and direct messages still unread CHAT_DIGEST_MINUTES after they
were sent are e-mailed to their reader, one e-mail per person listing them all.

Each person's ``chat_digest_through`` says up to which moment messages were considered: a run
looks at what was sent after it and at least the delay ago, then moves it forward, so each
message is e-mailed once at most. Rooms set to "nothing" are left out; a message read by
then (read marker past it) is not sent; nothing older than a day is (a first run after an
upgrade, or a worker stopped for long, does not send the past)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ensemble.accounts.models import User
from ensemble.chat.models import Message, NotifyLevel, RoomKind, RoomMember
from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.core.text import one_line

LOOK_BACK = timedelta(days=1)
MAX_LISTED = 50  # messages listed in one e-mail (the rest: "and N more")


def unread_for(member: RoomMember, cutoff: datetime, floor: datetime) -> list[Message]:
    """Unread messages of one membership to e-mail."""
    user = member.user
    since = max(user.chat_digest_through or floor, floor)
    return list(
        Message.objects.filter(
            room=member.room_id,
            seq__gt=member.last_read_seq,
            created_at__lte=cutoff,
            created_at__gt=since,
            deleted_at__isnull=True,
            author__isnull=False,
        )
        .exclude(author=user)
        .filter(Q(mentions=user) | Q(mentions_room=True) | Q(room__kind=RoomKind.DIRECT))
        .select_related("author", "room")
        .distinct()
        .order_by("created_at")
    )


def recipients(cutoff: datetime, floor: datetime) -> dict[User, list[RoomMember]]:
    """Memberships with something to e-mail, per person (one indexed look per membership)."""
    candidates = Message.objects.filter(
        room=OuterRef("room"),
        seq__gt=OuterRef("last_read_seq"),
        created_at__lte=cutoff,
        created_at__gt=Greatest(Coalesce(OuterRef("user__chat_digest_through"), floor), floor),
        deleted_at__isnull=True,
        author__isnull=False,
    ).exclude(author=OuterRef("user"))
    named = candidates.filter(
        Q(mentions=OuterRef("user")) | Q(mentions_room=True) | Q(room__kind=RoomKind.DIRECT)
    )
    members = (
        RoomMember.objects.filter(banned=False, user__is_active=True)
        .exclude(notify=NotifyLevel.NONE)
        .filter(Exists(named))
        .select_related("user", "room")
    )
    found: dict[User, list[RoomMember]] = {}
    for member in members:
        found.setdefault(member.user, []).append(member)
    return found


def send_digest(user: User, messages: list[Message]) -> None:
    """One e-mail, in the reader's language, listing ``messages``."""
    with translation.override(user.language):
        context = {
            "user": user,
            "messages": messages[:MAX_LISTED],
            "more": max(0, len(messages) - MAX_LISTED),
            "count": len(messages),
            "site": settings.SITE_URL,
        }
        subject = one_line(render_to_string("chat/digest_subject.txt", context))
        body = render_to_string("chat/digest_email.txt", context)
    EmailMessage(subject, body, to=[user.email]).send()


@every(timedelta(minutes=5))
@background_task
def send_mention_digests() -> dict[str, int]:
    """E-mail each person their mentions and direct messages unread for CHAT_DIGEST_MINUTES."""
    if settings.CHAT_DIGEST_MINUTES <= 0:
        return {"sent": 0}
    now = timezone.now()
    cutoff = now - timedelta(minutes=settings.CHAT_DIGEST_MINUTES)
    floor = cutoff - LOOK_BACK
    sent = 0
    for user, members in recipients(cutoff, floor).items():
        messages = sorted(
            (message for member in members for message in unread_for(member, cutoff, floor)),
            key=lambda message: (message.created_at, message.room_id, message.seq),
        )
        if messages:
            send_digest(user, messages)
            sent += 1
        # Moved forward once sent (a failure leaves it, and the retry sends the e-mail).
        behind = Q(chat_digest_through__isnull=True) | Q(chat_digest_through__lt=cutoff)
        User.objects.filter(behind, pk=user.pk).update(chat_digest_through=cutoff)
    return {"sent": sent}
