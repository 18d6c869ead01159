"""What someone may do with a meeting, from their place in it: the one permission model of Meet.

``Meeting.get_abilities(user, participant)`` answers it for a person with an account or a
guest (known by their participant, found with the guest key). The API checks every action
against it (``ensemble.meet.api.permissions``) and the actions ask it again before they write,
so a moderator removed from a meeting, or made a participant again, loses moderation at once.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ensemble.meet.models import Access, Meeting, MeetRole, Participant, ParticipantState
from ensemble.meet.team_rooms import is_member

WAITING, ADMITTED = ParticipantState.WAITING, ParticipantState.ADMITTED
DENIED, REMOVED = ParticipantState.DENIED, ParticipantState.REMOVED

# Abilities that need someone in the meeting now, and those of its hosts and moderators.
INSIDE = ("see_people", "chat", "devices", "raise_hand", "react")
MODERATION = ("moderate", "end", "record")


def signed_in(user: Any) -> bool:
    return user is not None and bool(user.is_authenticated)


def caller_of(meeting: Meeting, user: Any, guest_key: str = "") -> Participant | None:
    """The caller's place in the meeting: by their account, or for a guest by their key."""
    if signed_in(user):
        return meeting.participants.filter(user=user).first()
    if guest_key:
        return meeting.participants.filter(guest_key=guest_key, user__isnull=True).first()
    return None


def join_refusal(meeting: Meeting, user: Any, participant: Participant | None) -> str | None:
    """Why this person may not join (or ask to, in the waiting room) now; None if they may."""
    if meeting.ended_at is not None:
        return _("This meeting has ended.")
    if not signed_in(user) and meeting.access != Access.PUBLIC:
        return _("Sign in to join this meeting.")
    if participant is not None and participant.state == REMOVED:
        return _("You were removed from this meeting.")
    # The access applies to everyone not in the meeting now (it may have closed since they
    # left or were refused); its hosts and moderators come back whatever it is, in a team's
    # room as long as they are still in the team.
    back_in = (
        participant is not None
        and (participant.moderates or participant.state == ADMITTED)
        and in_team(meeting, user)
    )
    if not back_in:
        refused = access_refusal(meeting, user)
        if refused:
            return refused
    if meeting.locked and not back_in:
        return _("This meeting is locked: nobody else can join.")
    return None


def in_team(meeting: Meeting, user: Any) -> bool:
    """Whether a place in the meeting still counts: in a team's room, only for the team's
    members (someone who left the team keeps no host, organiser or participant rights)."""
    return meeting.team_id is None or is_member(meeting.team_id, user)


def access_refusal(meeting: Meeting, user: Any) -> str | None:
    """Why the meeting's access (``Meeting.access``) keeps out someone without a place in it."""
    if not signed_in(user):
        return None if meeting.access == Access.PUBLIC else _("Sign in to join this meeting.")
    if meeting.access == Access.INVITED:
        # an address an operator changed counts once its owner confirmed it
        invited = user.email_verified and (
            meeting.invitations.filter(email__iexact=user.email).exists()
        )
        if not invited:
            return _("This meeting is for invited people only.")
    if meeting.access == Access.TEAM and not is_member(meeting.team_id, user):
        return _("This meeting is for the team's members only.")
    return None


def meeting_abilities(
    meeting: Meeting, user: Any, participant: Participant | None
) -> dict[str, bool]:
    """What ``user`` (None or anonymous for a guest) with this ``participant`` (their place in
    the meeting, if they have one) may do."""
    live = meeting.ended_at is None
    state = participant.state if participant is not None else None
    inside = live and state == ADMITTED
    # In a team's room, roles count for the team's members only (one query, for such rooms).
    member = in_team(meeting, user)
    moderates = inside and participant is not None and participant.moderates and member
    organiser = signed_in(user) and meeting.organiser_id == user.pk and member
    # The meeting's recordings: its organiser and its hosts and moderators, as long as they
    # keep that role and have not been removed (after the meeting too: nobody is in then).
    keeps_role = (
        member
        and participant is not None
        and participant.user_id is not None
        and participant.role in (MeetRole.HOST, MeetRole.MODERATOR)
        and state not in (REMOVED, DENIED)
    )
    abilities = {
        "retrieve": meeting.access == Access.PUBLIC or signed_in(user),
        "join": join_refusal(meeting, user, participant) is None,
        "me": participant is not None,
        "leave": state in (WAITING, ADMITTED),
        "manage_recordings": organiser or keeps_role,
        # Change or cancel it (its invitees are sent the new invitation): the same people,
        # until it ends.
        "edit": live and (organiser or keeps_role),
    }
    abilities.update(dict.fromkeys(INSIDE, inside))
    abilities.update(dict.fromkeys(MODERATION, moderates))
    return abilities


def refusal(meeting: Meeting, user: Any, participant: Participant | None, ability: str) -> str:
    """What a person refused ``ability`` is told."""
    if ability == "join":
        return join_refusal(meeting, user, participant) or _("You cannot join this meeting.")
    if ability in MODERATION:
        return _("Only the meeting's hosts and moderators can do this.")
    if ability == "leave":
        return _("You are not in this meeting.")
    if ability == "retrieve":
        return _("Sign in to see this meeting.")
    if ability == "edit":
        if meeting.ended_at is not None:
            return _("This meeting has ended.")
        return _("Only the meeting's organiser and hosts can change it.")
    if meeting.ended_at is not None:
        return _("This meeting has ended.")
    return _("Only people in the meeting can do this.")
