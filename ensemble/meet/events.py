"""Meeting state on the real-time stream ``meet.meeting:<id>``, followed by the people in it:
who waits, who is in, who left; whether the meeting is locked or has ended."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from ensemble.core.events import EVERYONE, Event, event_type, publish

STREAM_KIND = "meet.meeting"


@event_type("meet.participant.changed")
class ParticipantChanged(Event):
    access_of: ClassVar[str | None] = "user"
    id: UUID
    user: UUID | None = None  # None for a guest
    name: str
    role: str
    state: str
    microphone: bool = False
    camera: bool = False


@event_type("meet.hand.changed")
class HandChanged(Event):
    """Hands are answered in the order they were raised (``raised_at``)."""

    id: UUID
    name: str
    raised_at: datetime | None


@event_type("meet.mute.requested")
class MuteRequested(Event):
    """A moderator asks these participants' clients to turn their microphones off."""

    ids: list[UUID]
    by: str


@event_type("meet.meeting.updated")
class MeetingUpdated(Event):
    access_of: ClassVar[str | None] = EVERYONE  # an ended meeting is followed no longer

    locked: bool
    ended: bool
    recording: bool = False
    access: str = "signed_in"  # who may join now (``meet.models.Access``)
    cancelled: bool = False  # ended before it took place


@event_type("meet.reaction")
class Reacted(Event):
    """A reaction, shown for a few seconds over the meeting. Kept on the stream like the rest,
    so that guests, who ask for its events, see them too; pages show only recent ones."""

    id: UUID
    name: str
    emoji: str
    at: datetime


def stream_of(meeting: Any) -> str:
    return f"{STREAM_KIND}:{meeting.pk}"


def participant_changed(participant: Any) -> None:
    publish(
        stream_of(participant.meeting),
        ParticipantChanged(
            id=participant.pk,
            user=participant.user_id,
            name=participant.display_name,
            role=participant.role,
            state=participant.state,
            microphone=participant.microphone,
            camera=participant.camera,
        ),
    )


def meeting_updated(meeting: Any) -> None:
    publish(
        stream_of(meeting),
        MeetingUpdated(
            locked=meeting.locked,
            ended=meeting.ended_at is not None,
            recording=meeting.recording,
            access=meeting.access,
            cancelled=meeting.cancelled_at is not None,
        ),
    )


def may_follow(user: Any, key: str) -> bool:
    """People in the meeting (admitted) follow it: its ``see_people`` ability."""
    from ensemble.meet.abilities import caller_of
    from ensemble.meet.models import Meeting

    try:
        uuid.UUID(key)
    except ValueError:
        return False
    meeting = Meeting.objects.filter(pk=key).first()
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return meeting.get_abilities(user, caller_of(meeting, user))["see_people"]


def register() -> None:
    from ensemble.core.events import stream_kind

    stream_kind(STREAM_KIND, may_follow)
