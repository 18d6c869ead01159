"""Reminders: a few minutes before a scheduled meeting, its invitees get an e-mail. And the
Janus rooms of running meetings swept of anyone Ensemble did not place there."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.meet.actions import evict_strangers
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


@every(timedelta(minutes=1))  # the scheduler looks for due jobs once a minute
@background_task
def sweep_janus_rooms() -> dict[str, int]:
    """Take out of every running meeting's Janus room whoever Ensemble did not place there
    (a publisher under an id that is not its own; a session whose token was taken back).
    Removals and departures sweep their room at once; this catches the rest."""
    running = Meeting.objects.filter(ended_at__isnull=True, janus_room__isnull=False)
    return {"taken_out": sum(evict_strangers(meeting) for meeting in running)}
