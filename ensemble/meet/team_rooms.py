"""A team's permanent meeting room: one meeting per team, made the first time a member opens
it, with the same link and code every time (the weekly meeting's link does not change). Its
members come straight in (no waiting room); anyone else is refused (``Access.TEAM``). Ended,
it opens again when a member comes back: a new session, in which nobody is still refused or
removed from an earlier one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.models import Team, TeamMembership
from ensemble.core import audit
from ensemble.core.refusals import ActionRefused
from ensemble.meet.events import meeting_updated
from ensemble.meet.models import Access, Meeting, MeetRole, Participant, ParticipantState


def is_member(team_id: Any, user: Any) -> bool:
    return bool(
        team_id
        and getattr(user, "is_authenticated", False)
        and TeamMembership.objects.filter(team_id=team_id, user=user).exists()
    )


def team_room(user: Any, team: Team) -> tuple[Meeting, bool]:
    """The team's room (made now if it has none: ``created``), for a member of the team."""
    if not is_member(team.pk, user):
        raise ActionRefused(_("Only the team's members can open its meeting room."))
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # one room per team
        meeting = Meeting.objects.filter(team=team).first()
        if meeting is not None:
            return reopened(meeting), False
        meeting = Meeting.objects.create(
            title=_("Meeting room of %(team)s") % {"team": team.name},
            organiser=user,
            team=team,
            access=Access.TEAM,
            lobby=False,
            max_participants=settings.MEET_MAX_PARTICIPANTS,
        )
        Participant.objects.create(
            meeting=meeting, user=user, display_name=str(user), role=MeetRole.HOST, invited=True
        )
        audit.record("meet.team_room_created", actor=user, target=meeting)
    return meeting, True


def reopened(meeting: Meeting) -> Meeting:
    """A team's room that has ended, open again for a new session (others: as they are): for
    the team's members again (``Access.TEAM``), its hosts and moderators who have left the
    team made participants."""
    if meeting.team_id is None or meeting.ended_at is None:
        return meeting
    with transaction.atomic():
        opened = Meeting.objects.filter(pk=meeting.pk, ended_at__isnull=False).update(
            ended_at=None, locked=False, recording=False, access=Access.TEAM
        )
        if opened:
            members = TeamMembership.objects.filter(team_id=meeting.team_id).values("user_id")
            meeting.participants.filter(role__in=(MeetRole.HOST, MeetRole.MODERATOR)).exclude(
                user_id__in=members
            ).update(role=MeetRole.PARTICIPANT)
            # A new session: whoever was refused or removed last time and is still in the
            # team may come again; someone removed who has left the team stays out.
            meeting.participants.exclude(state=ParticipantState.LEFT).filter(
                user_id__in=members
            ).update(state=ParticipantState.LEFT, left_from="", hand_raised_at=None)
            meeting.participants.filter(
                state__in=(ParticipantState.WAITING, ParticipantState.ADMITTED)
            ).update(state=ParticipantState.LEFT, left_from="", hand_raised_at=None)
        meeting.refresh_from_db()
        if opened:
            meeting_updated(meeting)
    return meeting
