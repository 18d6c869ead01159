from ensemble.meet.models.breakout import Breakout, BreakoutRoom, BreakoutSeat
from ensemble.meet.models.meetings import (
    CODE_LETTERS,
    Access,
    Meeting,
    MeetingInvitation,
    MeetRole,
    Participant,
    ParticipantState,
    Recording,
    RecordingState,
    new_code,
    recording_name,
)

__all__ = [
    "CODE_LETTERS",
    "Access",
    "Breakout",
    "BreakoutRoom",
    "BreakoutSeat",
    "MeetRole",
    "Meeting",
    "MeetingInvitation",
    "Participant",
    "ParticipantState",
    "Recording",
    "RecordingState",
    "new_code",
    "recording_name",
]
