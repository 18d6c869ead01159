"""Meeting state on the real-time stream ``meet.meeting:<id>``, followed by the people in it:
who waits, who is in, who left; whether the meeting is locked or has ended."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from ensemble.core.events import Event, event_type, publish

STREAM_KIND = "meet.meeting"


@event_type("meet.participant.changed")
class ParticipantChanged(Event):
    id: UUID
    name: str
    role: str
    state: str


@event_type("meet.meeting.updated")
class MeetingUpdated(Event):
    locked: bool
    ended: bool


def stream_of(meeting: Any) -> str:
    return f"{STREAM_KIND}:{meeting.pk}"


def participant_changed(participant: Any) -> None:
    publish(
        stream_of(participant.meeting),
        ParticipantChanged(
            id=participant.pk,
            name=participant.display_name,
            role=participant.role,
            state=participant.state,
        ),
    )


def meeting_updated(meeting: Any) -> None:
    publish(
        stream_of(meeting),
        MeetingUpdated(locked=meeting.locked, ended=meeting.ended_at is not None),
    )


def may_follow(user: Any, key: str) -> bool:
    """People in the meeting (admitted) follow it."""
    from ensemble.meet.models import Participant, ParticipantState

    try:
        uuid.UUID(key)
    except ValueError:
        return False
    return Participant.objects.filter(
        meeting_id=key, user=user, state=ParticipantState.ADMITTED
    ).exists()


def register() -> None:
    from ensemble.core.events import stream_kind

    stream_kind(STREAM_KIND, may_follow)
