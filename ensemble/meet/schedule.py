"""Changing and cancelling a meeting (its organiser, or its hosts and moderators: the ``edit``
ability): the invitees' calendars follow, by e-mail, with the same event (its UID) one
``SEQUENCE`` higher: an updated invitation (METHOD:REQUEST), or a cancellation (METHOD:CANCEL)
for a cancelled meeting and for people taken off its list."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.core import audit, ratelimit
from ensemble.core.refusals import ActionRefused, BadInput
from ensemble.core.text import one_line
from ensemble.meet.abilities import caller_of
from ensemble.meet.access import check_access, refuse_who_may_no_longer_join
from ensemble.meet.events import meeting_updated
from ensemble.meet.janus import JanusError
from ensemble.meet.mail import send_cancellations, send_invitations, send_updates
from ensemble.meet.models import Meeting, MeetingInvitation, ParticipantState

# What invitees' calendars hold: a change to one of these sends them the new invitation.
IN_THE_CALENDAR = ("title", "starts_at", "ends_at")
EDITABLE = (*IN_THE_CALENDAR, "access", "lobby")


class UnderWay(ActionRefused):
    status_code = 409


def editor_of(meeting: Meeting, user: Any) -> None:
    """Refuse anyone but the meeting's organiser and its hosts and moderators."""
    abilities = meeting.get_abilities(user, caller_of(meeting, user))
    if not abilities["edit"]:
        if meeting.ended_at is not None:
            raise ActionRefused(_("This meeting has ended."))
        raise ActionRefused(_("Only the meeting's organiser and hosts can change it."))


def addresses(emails: list[str]) -> list[str]:
    return sorted({email.strip().lower() for email in emails if email.strip()})


def check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if (starts_at is None) != (ends_at is None):
        raise BadInput(_("A scheduled meeting needs both a start and an end."))
    if starts_at and ends_at and ends_at <= starts_at:
        raise BadInput(_("A meeting must end after it starts."))


def update_meeting(user: Any, meeting: Meeting, changes: dict[str, Any]) -> Meeting:
    """Change what ``changes`` names (``EDITABLE``, and ``invitees``: the whole new list).
    Invitees kept get the updated invitation if the title or the times changed, new ones the
    invitation, people taken off the list a cancellation."""
    editor_of(meeting, user)
    values = {name: changes[name] for name in EDITABLE if name in changes}
    if "title" in values:
        values["title"] = one_line(values["title"])
        if not values["title"]:
            raise BadInput(_("A meeting needs a title."))
    check_times(values.get("starts_at", meeting.starts_at), values.get("ends_at", meeting.ends_at))
    if "access" in values:
        check_access(meeting, values["access"])
    before = set(meeting.invitations.values_list("email", flat=True))
    after = set(addresses(changes["invitees"])) if "invitees" in changes else before
    added, removed, kept = sorted(after - before), sorted(before - after), sorted(before & after)
    moved = [name for name in values if name in IN_THE_CALENDAR]
    moved = [name for name in moved if values[name] != getattr(meeting, name)]
    updated = kept if moved else []
    sent = len(added) + len(removed) + len(updated)
    if sent:  # e-mails to any address: counted against the organiser's invitations
        ratelimit.check("invitations", f"user:{user.pk}", cost=sent)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        editor_of(meeting, user)  # again, the meeting held: it may have ended meanwhile
        access_before = (meeting.access, meeting.lobby, meeting.locked)
        for name, value in values.items():
            setattr(meeting, name, value)
        if sent:
            meeting.sequence += 1
        meeting.save()
        meeting.invitations.filter(email__in=removed).delete()
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(meeting=meeting, email=email) for email in added
        )
        if (meeting.access, meeting.lobby, meeting.locked) != access_before:
            refuse_who_may_no_longer_join(meeting, user)
            meeting_updated(meeting)
        audit.record(
            "meet.meeting_changed",
            actor=user,
            target=meeting,
            data={"fields": sorted(values), "invited": added, "uninvited": removed},
        )

        def tell(meeting: Meeting = meeting) -> None:
            send_updates(meeting, updated)
            send_invitations(meeting, added)
            send_cancellations(meeting, removed, uninvited=True)

        transaction.on_commit(tell)
    return meeting


def cancel_meeting(user: Any, meeting: Meeting) -> Meeting:
    """Call a meeting off before it takes place: it ends, people waiting are told so, and its
    invitees get a cancellation. One under way is ended for everyone instead (``end``)."""
    editor_of(meeting, user)
    emails = list(meeting.invitations.values_list("email", flat=True))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        editor_of(meeting, user)
        if meeting.participants.filter(state=ParticipantState.ADMITTED).exists():
            raise UnderWay(_("This meeting is under way: end it for everyone instead."))
        meeting.ended_at = meeting.cancelled_at = timezone.now()
        meeting.sequence += 1
        meeting.save(update_fields=["ended_at", "cancelled_at", "sequence", "updated_at"])
        meeting_updated(meeting)
        audit.record("meet.meeting_cancelled", actor=user, target=meeting)
        transaction.on_commit(lambda: send_cancellations(meeting, emails))
    forget_room(meeting)
    return meeting


def forget_room(meeting: Meeting) -> None:
    """A Janus room left from an earlier session (nobody in it now) is destroyed."""
    from ensemble.meet.actions import server_of

    server = server_of(meeting)
    if server is not None and meeting.janus_room:
        with suppress(JanusError):
            server.destroy_room(meeting.janus_room, meeting.janus_secret)
