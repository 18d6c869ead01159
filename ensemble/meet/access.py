"""Who may join a meeting (``Meeting.access``), changed while it runs by its hosts and
moderators: everyone in it is told on the meeting's stream (``meet.meeting.updated`` with the
new ``access``), and people waiting whom the new access keeps out are refused at once (they
see that they were not let in, and asking again tells them why). People already in stay."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ensemble.core import audit
from ensemble.core.refusals import BadInput
from ensemble.meet import transitions
from ensemble.meet.abilities import access_refusal
from ensemble.meet.events import meeting_updated
from ensemble.meet.models import Access, Meeting, ParticipantState


def set_access(user: Any, meeting: Meeting, access: str) -> Meeting:
    """Hosts and moderators in the meeting open or close it (``Access``)."""
    from ensemble.meet.actions import moderator_of

    moderator_of(meeting, user)
    check_access(meeting, access)
    if meeting.access == access:
        return meeting
    meeting.access = Access(access)
    meeting.save(update_fields=["access", "updated_at"])
    refuse_who_may_no_longer_join(meeting, user)
    meeting_updated(meeting)
    audit.record("meet.access_changed", actor=user, target=meeting, data={"access": access})
    return meeting


def check_access(meeting: Meeting, access: str) -> None:
    if access == Access.TEAM and meeting.team_id is None:
        raise BadInput(_("Only a team's meeting room can be for the team's members."))


def refuse_who_may_no_longer_join(meeting: Meeting, actor: Any) -> int:
    """Refuse the people waiting whom the meeting's access now keeps out; how many."""
    refused = 0
    for waiting in meeting.participants.filter(state=ParticipantState.WAITING).select_related(
        "user"
    ):
        if waiting.role == "participant" and access_refusal(meeting, waiting.user):
            transitions.apply(waiting, "deny", actor=actor)
            refused += 1
    return refused
