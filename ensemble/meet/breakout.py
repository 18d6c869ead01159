"""Breakout rooms: the meeting's hosts and moderators split the people in it into rooms (by
hand or at random), for a while (a timer) or until they bring everyone back; meanwhile they
may send a message to every room.

Each room is a Janus room of its own on the meeting's Janus, created with an empty allowed
list like the meeting's (ADR 0006): the token of each person placed there is added, and those
of the hosts and moderators (who may visit any room), so nobody else's token opens it. People
stay admitted in the meeting itself (its chat, hands, moderation and main Janus room go on);
their pages move from the main room to theirs on ``meet.breakout.changed`` and back when it
closes. While they are open, a host may place someone into a room or move them to another
(someone who came in late stays in the main room until then): ``place``. A timer that has run
out closes the breakout the next time anyone reads it (pages ask when their countdown ends)
or at the minute's sweep.
"""

from __future__ import annotations

import random
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel as Schema

from ensemble.accounts.actions import ActionRefused
from ensemble.core import audit
from ensemble.core.events import Event, event_type, publish
from ensemble.core.refusals import BadInput
from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.core.text import one_line
from ensemble.meet import actions, chat
from ensemble.meet.events import stream_of
from ensemble.meet.janus import JanusError, JanusServer, JanusUnavailable, new_secret
from ensemble.meet.models import (
    Breakout,
    BreakoutRoom,
    BreakoutSeat,
    Meeting,
    Participant,
    ParticipantState,
)

MAX_ROOMS = 50
MAX_MINUTES = 24 * 60
MAX_MESSAGE = 500
ADMITTED = ParticipantState.ADMITTED


class BreakoutConflict(ActionRefused):
    status_code = 409


class RoomShown(Schema):
    id: UUID
    name: str
    janus_room: int | None  # the number pages join; only the tokens placed there open it
    participants: list[UUID]


@event_type("meet.breakout.changed")
class BreakoutChanged(Event):
    """Breakout rooms opened (who goes where, until when) or closed (everyone back)."""

    open: bool
    ends_at: datetime | None = None
    rooms: list[RoomShown] = []


@event_type("meet.breakout.message")
class BreakoutMessage(Event):
    """A host's message to every room, shown over the stage."""

    by: str
    text: str
    at: datetime


# ---------------------------------------------------------------- reading


def current(meeting: Meeting) -> Breakout | None:
    """The meeting's open breakout, if any; one whose timer ran out is closed now."""
    breakout = meeting.breakouts.filter(closed_at__isnull=True).first()
    if breakout is None:
        return None
    timed_out = breakout.ends_at is not None and breakout.ends_at <= timezone.now()
    if timed_out or meeting.ended_at is not None:
        close_breakout(breakout, actor=None)
        return None
    return breakout


def rooms_of(breakout: Breakout | None) -> list[RoomShown]:
    if breakout is None:
        return []
    seats: dict[UUID, list[UUID]] = {}
    for room_id, participant_id in breakout.seats.values_list("room_id", "participant_id"):
        seats.setdefault(room_id, []).append(participant_id)
    return [
        RoomShown(id=r.pk, name=r.name, janus_room=r.janus_room, participants=seats.get(r.pk, []))
        for r in breakout.rooms.all()
    ]


def state(meeting: Meeting) -> dict[str, Any]:
    """What pages show: open or not, until when, the rooms and who is in each."""
    breakout = current(meeting)
    return changed_event(breakout).model_dump(mode="json")


def changed_event(breakout: Breakout | None) -> BreakoutChanged:
    if breakout is None or breakout.closed_at is not None:
        return BreakoutChanged(open=False)
    return BreakoutChanged(open=True, ends_at=breakout.ends_at, rooms=rooms_of(breakout))


# ---------------------------------------------------------------- planning


def plan(
    meeting: Meeting, moderator: Participant, rooms: list[list[UUID]] | None, count: int | None
) -> list[list[Participant]]:
    """Who goes into which room: ``rooms`` by hand (lists of participant ids), or ``count``
    rooms at random among the people in the meeting who do not moderate it."""
    admitted = {p.pk: p for p in meeting.participants.filter(state=ADMITTED)}
    if rooms is not None:
        if not 1 <= len(rooms) <= MAX_ROOMS:
            raise BadInput(_("Give from 1 to %(n)s rooms.") % {"n": MAX_ROOMS})
        placed: list[list[Participant]] = []
        seen: set[UUID] = set()
        for ids in rooms:
            people = []
            for pk in ids:
                if pk in seen:
                    raise BadInput(_("Someone was placed in two rooms."))
                if pk not in admitted:
                    raise BadInput(_("Only people in the meeting can be placed in a room."))
                seen.add(pk)
                people.append(admitted[pk])
            placed.append(people)
        if not seen:
            raise BadInput(_("Place at least one person in a room."))
        return placed
    if count is None or not 1 <= count <= MAX_ROOMS:
        raise BadInput(_("Give from 1 to %(n)s rooms.") % {"n": MAX_ROOMS})
    people = [p for p in admitted.values() if not p.moderates]
    if not people:
        raise BadInput(_("Nobody in the meeting to place in rooms."))
    random.shuffle(people)
    return [people[index::count] for index in range(count)]


# ---------------------------------------------------------------- writes


def open_breakout(
    user: Any,
    meeting: Meeting,
    rooms: list[list[UUID]] | None = None,
    count: int | None = None,
    minutes: int | None = None,
    names: list[str] | None = None,
) -> Breakout:
    """Split the meeting into rooms (hosts and moderators in the meeting): one Janus room each
    on the meeting's Janus, opened to the tokens of the people placed there and of the
    moderators; then, stored, everyone is told where to go (``meet.breakout.changed``)."""
    moderator = actions.moderator_of(meeting, user)
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise BadInput(_("Give a duration from 1 to %(n)s minutes.") % {"n": MAX_MINUTES})
    if current(meeting) is not None:
        raise BreakoutConflict(_("Breakout rooms are already open: bring everyone back first."))
    placed = plan(meeting, moderator, rooms, count)
    names = [one_line(name)[:100] for name in names or []]
    moderators = [p for p in meeting.participants.filter(state=ADMITTED) if p.moderates]
    try:
        server = actions.place(meeting)
    except JanusUnavailable as error:
        raise actions.MediaUnavailable() from error
    made: list[tuple[int, str]] = []
    try:
        for people in placed:
            room, secret = actions.new_feed(), new_secret()
            server.create_room(room, secret, publishers=max(len(people) + len(moderators), 1))
            made.append((room, secret))
            tokens = {p.janus_token for p in [*people, *moderators] if p.janus_token}
            for token in tokens:
                server.allow(room, secret, token, True)
    except JanusError as error:
        destroy_rooms(server, made)
        raise actions.MediaUnavailable() from error
    try:
        with transaction.atomic():
            breakout = Breakout.objects.create(
                meeting=meeting,
                started_by=user,
                ends_at=timezone.now() + timedelta(minutes=minutes) if minutes else None,
            )
            for position, (people, (room, secret)) in enumerate(zip(placed, made, strict=True)):
                name = names[position] if position < len(names) and names[position] else ""
                shown = BreakoutRoom.objects.create(
                    breakout=breakout,
                    position=position,
                    name=name or _("Room %(n)s") % {"n": position + 1},
                    janus_room=room,
                    janus_secret=secret,
                )
                BreakoutSeat.objects.bulk_create(
                    BreakoutSeat(breakout=breakout, room=shown, participant=p) for p in people
                )
            publish(stream_of(meeting), changed_event(breakout))
            audit.record(
                "meet.breakout_opened",
                actor=user,
                target=meeting,
                data={"rooms": len(placed), "minutes": minutes or 0},
            )
    except IntegrityError as error:  # opened by another moderator meanwhile
        destroy_rooms(server, made)
        raise BreakoutConflict(
            _("Breakout rooms are already open: bring everyone back first.")
        ) from error
    return breakout


def close(user: Any, meeting: Meeting) -> None:
    """Bring everyone back to the main room (hosts and moderators)."""
    actions.moderator_of(meeting, user)
    breakout = current(meeting)
    if breakout is None:
        raise BreakoutConflict(_("No breakout rooms are open."))
    close_breakout(breakout, actor=user)


def close_breakout(breakout: Breakout, actor: Any) -> None:
    """Everyone back (``actor`` None: the timer ran out); then its Janus rooms destroyed."""
    with transaction.atomic():
        closed = Breakout.objects.filter(pk=breakout.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), updated_at=timezone.now()
        )
        if not closed:  # closed meanwhile (the timer read twice, two moderators at once)
            return
        breakout.closed_at = timezone.now()
        publish(stream_of(breakout.meeting), BreakoutChanged(open=False))
        audit.record(
            "meet.breakout_closed",
            actor=actor,
            target=breakout.meeting,
            data={"timer": actor is None},
        )
    server = actions.server_of(breakout.meeting)
    if server is not None:
        destroy_rooms(server, [(r.janus_room or 0, r.janus_secret) for r in breakout.rooms.all()])


def place(user: Any, meeting: Meeting, participant_id: UUID, room_id: UUID | None) -> Breakout:
    """Put someone in the meeting into one room of the open breakout, or back into the main
    room (``room_id`` None), by hand (hosts and moderators): someone who came in late or was
    left in the main room, or a move between rooms. Their token is added to the new room's
    allowed list and taken off the old one's (not a moderator's: they may visit any room),
    the seat stored and everyone told (``meet.breakout.changed``: their page moves). Their
    page leaves the old room by itself; the minute's sweep takes out one that stays."""
    actions.moderator_of(meeting, user)
    breakout = current(meeting)
    if breakout is None:
        raise BreakoutConflict(_("No breakout rooms are open."))
    participant = meeting.participants.filter(pk=participant_id, state=ADMITTED).first()
    if participant is None:
        raise BadInput(_("Only people in the meeting can be placed in a room."))
    room = None
    if room_id is not None:
        room = breakout.rooms.filter(pk=room_id).first()
        if room is None:
            raise BadInput(_("There is no such breakout room."))
    server = actions.server_of(meeting)
    with transaction.atomic():
        # The breakout locked while its lists change (a few local Janus calls): two moves of
        # one person at once cannot leave their token off the room they end up in.
        locked = Breakout.objects.select_for_update().filter(pk=breakout.pk).first()
        if locked is None or locked.closed_at is not None:
            raise BreakoutConflict(_("No breakout rooms are open."))
        participant.refresh_from_db(fields=["state", "role", "janus_token"])
        if participant.state != ADMITTED:  # left or removed meanwhile
            raise BadInput(_("Only people in the meeting can be placed in a room."))
        token = participant.janus_token
        seat = breakout.seats.filter(participant=participant).select_related("room").first()
        left = seat.room if seat is not None else None
        if token and room is not None:
            if server is None:
                raise actions.MediaUnavailable()
            try:
                server.allow(room.janus_room or 0, room.janus_secret, token, True)
            except JanusError as error:
                raise actions.MediaUnavailable() from error
        if left == room:  # the same room again: its list holds their token now, nothing else
            return breakout
        if seat is not None and room is not None:
            seat.room = room
            seat.save(update_fields=["room", "updated_at"])
        elif seat is not None:
            seat.delete()
        elif room is not None:
            BreakoutSeat.objects.create(breakout=breakout, room=room, participant=participant)
        publish(stream_of(meeting), changed_event(breakout))
        audit.record(
            "meet.breakout_placed",
            actor=user,
            target=meeting,
            data={
                "participant": str(participant.pk),
                "from": str(left.pk) if left else None,
                "to": str(room.pk) if room else None,
            },
        )
        if token and left is not None and server is not None and not participant.moderates:
            with suppress(JanusError):  # a Janus that restarted has forgotten the room
                server.allow(left.janus_room or 0, left.janus_secret, token, False)
    return breakout


def destroy_rooms(server: JanusServer, rooms: list[tuple[int, str]]) -> None:
    for room, secret in rooms:
        with suppress(JanusError):  # gone already, or Janus down (it forgot them then)
            server.destroy_room(room, secret)


def broadcast(user: Any, meeting: Meeting, text: str) -> None:
    """A message from a host to every room: shown over everyone's stage, and kept in the
    meeting's chat (which every room shares)."""
    moderator = actions.moderator_of(meeting, user)
    text = text.strip()
    if not text:
        raise BadInput(_("Write the message to send."))
    if len(text) > MAX_MESSAGE:
        raise BadInput(
            _("A message to the rooms is %(n)s characters at most.") % {"n": MAX_MESSAGE}
        )
    if current(meeting) is None:
        raise BreakoutConflict(_("No breakout rooms are open."))
    publish(
        stream_of(meeting),
        BreakoutMessage(by=moderator.display_name, text=text, at=timezone.now()),
    )
    with suppress(ActionRefused):  # banned from the chat: the rooms still see it
        chat.send(moderator, uuid.uuid4().hex, f"📣 {text}")
    audit.record("meet.breakout_message", actor=user, target=meeting)


def sweep(meeting: Meeting) -> int:
    """Take out of the open breakout's rooms whoever is not placed there now: a session whose
    token is no longer that of someone admitted (removed, left) is destroyed, and an id in a
    room that is not the camera or screen of someone placed there or moderating is kicked."""
    breakout = meeting.breakouts.filter(closed_at__isnull=True).first()
    server = actions.server_of(meeting)
    if breakout is None or server is None:
        return 0
    admitted = list(meeting.participants.filter(state=ADMITTED).exclude(janus_token=""))
    tokens = {p.janus_token for p in admitted}
    taken = 0
    for room in breakout.rooms.all():
        allowed = {p.pk for p in admitted if p.moderates}
        allowed |= set(room.seats.values_list("participant_id", flat=True))
        feeds = {
            f for p in admitted if p.pk in allowed for f in (p.janus_feed, p.janus_screen_feed)
        }
        with suppress(JanusError):
            for handle in server.room_handles(room.janus_room or 0):
                if handle.token not in tokens:
                    with suppress(JanusError):
                        server.destroy_session(handle.session)
                        taken += 1
            for present in server.participants(room.janus_room or 0):
                feed = int(present.get("id") or 0)
                if feed and feed not in feeds:
                    with suppress(JanusError):
                        server.kick(room.janus_room or 0, room.janus_secret, feed)
                        taken += 1
    return taken


def close_expired() -> int:
    """Close every breakout whose timer ran out (the minute's job; reads close them too)."""
    due = Breakout.objects.filter(closed_at__isnull=True, ends_at__lte=timezone.now())
    count = 0
    for breakout in due.select_related("meeting"):
        close_breakout(breakout, actor=None)
        count += 1
    return count


@every(timedelta(minutes=1))  # the scheduler looks for due jobs once a minute
@background_task
def close_breakouts_and_sweep() -> dict[str, int]:
    """Close the breakouts whose timer ran out (pages ask at their countdown's end, this
    catches the rest) and take strangers out of the open ones' rooms."""
    closed = close_expired()
    running = Meeting.objects.filter(ended_at__isnull=True, breakouts__closed_at__isnull=True)
    return {"closed": closed, "taken_out": sum(sweep(meeting) for meeting in running)}


def janus_rooms(meeting: Meeting) -> set[int]:
    """The Janus rooms of the meeting's open breakout (where its people publish meanwhile)."""
    rooms = BreakoutRoom.objects.filter(breakout__meeting=meeting, breakout__closed_at__isnull=True)
    return {room for room in rooms.values_list("janus_room", flat=True) if room}
