"""A meeting's chat is a room of the Chat app (kind "meeting"), made when the first person is
admitted. People with an account are its members while they are admitted, with the role they
have in the meeting, and keep it afterwards in Chat (removed people lose it); guests, who have
no account, write in it through Meet under their display name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.chat.actions.members import set_meeting_member
from ensemble.chat.actions.rooms import create_meeting_room
from ensemble.chat.actions.sending import send_as_guest, send_message
from ensemble.chat.models import Message, Room, RoomRole
from ensemble.core.events import current_seq
from ensemble.meet.models import Meeting, MeetRole, Participant, ParticipantState

ROOM_ROLE = {
    MeetRole.HOST: RoomRole.ADMIN,
    MeetRole.MODERATOR: RoomRole.MODERATOR,
    MeetRole.PARTICIPANT: RoomRole.MEMBER,
}
HISTORY = 100  # messages a page gets on arrival


def room_of(meeting: Meeting) -> Room:
    """The meeting's chat room, made the first time it is needed (once, even when two people
    are admitted at the same instant)."""
    if meeting.chat_room_id is not None:
        return meeting.chat_room  # type: ignore[return-value]
    room = create_meeting_room(meeting.title, meeting.link, meeting.organiser)
    if Meeting.objects.filter(pk=meeting.pk, chat_room__isnull=True).update(chat_room=room):
        meeting.chat_room = room
    else:  # someone else's was stored first
        room.delete()
        meeting.refresh_from_db(fields=["chat_room"])
    return meeting.chat_room  # type: ignore[return-value]


def sync_member(participant: Participant) -> None:
    """Put an admitted person with an account in the chat with their meeting role; take a
    removed one out. People who left keep it, as after any meeting."""
    if participant.user is None:
        return
    if participant.state == ParticipantState.ADMITTED:
        role: str | None = ROOM_ROLE[MeetRole(participant.role)]
    elif participant.state == ParticipantState.REMOVED:
        role = None
    else:
        return
    set_meeting_member(room_of(participant.meeting), participant.user, role)


def inside(participant: Participant) -> Room:
    if participant.state != ParticipantState.ADMITTED:
        raise ActionRefused(_("Only people in the meeting can use its chat."))
    sync_member(participant)  # people admitted before the meeting had a chat
    room = room_of(participant.meeting)
    if participant.user is not None and not room.get_abilities(participant.user)["retrieve"]:
        raise ActionRefused(_("You were banned from this meeting's chat."))
    return room


def send(participant: Participant, txn_id: str, text: str) -> tuple[Message, bool]:
    """Write in the meeting's chat: as oneself with an account, or as a guest."""
    room = inside(participant)
    if participant.user is not None:
        return send_message(participant.user, room, txn_id, text)
    return send_as_guest(room, participant.pk, participant.display_name, txn_id, text)


def history(participant: Participant) -> dict[str, Any]:
    """The room, its stream and where it stands, and its latest messages, oldest first."""
    room = inside(participant)
    latest: QuerySet[Message] = room.messages.select_related("author").prefetch_related(
        "reactions", "attachments"
    )
    return {
        "room": room,
        "seq": current_seq(room.stream),
        "messages": list(reversed(latest.order_by("-seq")[:HISTORY])),
    }
