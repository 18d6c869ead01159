"""Reminders: a few minutes before a scheduled meeting, its invitees get an e-mail."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.meet.mail import send_reminders
from ensemble.meet.models import Meeting, MeetingInvitation

REMIND_BEFORE = timedelta(minutes=15)


@every(timedelta(minutes=5))
@background_task
def send_meeting_reminders() -> dict[str, int]:
    now = timezone.now()
    due = MeetingInvitation.objects.filter(
        reminded_at__isnull=True,
        meeting__ended_at__isnull=True,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + REMIND_BEFORE,
    )
    sent = 0
    for meeting in Meeting.objects.filter(pk__in=due.values("meeting")):
        invitations = list(due.filter(meeting=meeting))
        send_reminders(meeting, [invitation.email for invitation in invitations])
        MeetingInvitation.objects.filter(pk__in=[i.pk for i in invitations]).update(reminded_at=now)
        sent += len(invitations)
    return {"reminded": sent}
