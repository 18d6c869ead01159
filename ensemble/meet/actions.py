"""Every write of Meet: who may join, the waiting room, placement on Janus, tokens, moderation."""

from __future__ import annotations

import contextlib
import secrets
import time
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.core import audit, ratelimit
from ensemble.core.config import private_folder
from ensemble.core.counters import add_one
from ensemble.core.events import publish
from ensemble.core.refusals import BadInput, TooFast
from ensemble.core.text import one_emoji, one_line
from ensemble.meet import chat, transitions
from ensemble.meet.abilities import caller_of, join_refusal, signed_in
from ensemble.meet.events import (
    HandChanged,
    MuteRequested,
    Reacted,
    meeting_updated,
    participant_changed,
    stream_of,
)
from ensemble.meet.janus import JanusError, JanusServer, JanusUnavailable, new_secret
from ensemble.meet.mail import send_invitations
from ensemble.meet.models import (
    Access,
    BreakoutRoom,
    Meeting,
    MeetingInvitation,
    MeetRole,
    Participant,
    ParticipantState,
    Recording,
    RecordingState,
)
from ensemble.meet.recording import process_recording, raw_folder
from ensemble.meet.schedule import check_times
from ensemble.meet.team_rooms import is_member, reopened
from ensemble.meet.turn import ice_servers


class MeetingFull(ActionRefused):
    status_code = 409


class MediaUnavailable(ActionRefused):
    """No Janus server of the pool answers."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(_("The video service is not available right now. Try again in a moment."))


ADMITTED = ParticipantState.ADMITTED
BACK_WITHOUT_WAITING = timedelta(minutes=5)


def create_meeting(
    user: Any,
    title: str,
    access: str = Access.SIGNED_IN,
    lobby: bool = True,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    invitees: list[str] | None = None,
) -> Meeting:
    """An instant meeting, or a scheduled one (both times); invitees get an e-mail with the
    link, and for a scheduled meeting an .ics invitation and a reminder."""
    if user.is_external:
        raise ActionRefused(_("External users cannot organise meetings."))
    check_times(starts_at, ends_at)
    if access == Access.TEAM:
        raise BadInput(_("Only a team's meeting room can be for the team's members."))
    emails = sorted({email.strip().lower() for email in invitees or [] if email.strip()})
    if emails:  # e-mails to any address: counted against the organiser's invitations
        ratelimit.check("invitations", f"user:{user.pk}", cost=len(emails))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            # A line break in a title would end the invitation's e-mail subject and .ics field.
            title=one_line(title),
            organiser=user,
            access=access,
            lobby=lobby,
            starts_at=starts_at,
            ends_at=ends_at,
            max_participants=settings.MEET_MAX_PARTICIPANTS,
        )
        Participant.objects.create(
            meeting=meeting, user=user, display_name=str(user), role=MeetRole.HOST, invited=True
        )
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(meeting=meeting, email=email) for email in emails
        )
        transaction.on_commit(lambda: send_invitations(meeting, emails))
    return meeting


def join(meeting: Meeting, user: Any = None, guest_name: str = "") -> Participant:
    """Enter a meeting: straight in (moderators, or no waiting room), else the waiting room.
    A team's room that has ended opens again for a member of the team."""
    if meeting.team_id is not None and is_member(meeting.team_id, user):
        meeting = reopened(meeting)
    participant = caller_of(meeting, user)
    refusal = join_refusal(meeting, user, participant)
    if refusal:
        raise ActionRefused(refusal)
    if participant is None and signed_in(user):
        participant = Participant(meeting=meeting, user=user, display_name=str(user))
    elif participant is None:
        name = guest_name.strip()[:100]
        if not name:
            raise ActionRefused(_("Give the name the others will see."))
        participant = Participant(
            meeting=meeting, display_name=name, guest_key=secrets.token_urlsafe(24)
        )
    return enter(participant)


def enter(participant: Participant) -> Participant:
    """In, or into the waiting room, or the same place again for someone already in (the
    moves of ``meet/transitions.py``: someone removed stays out, someone refused waits)."""
    meeting = participant.meeting
    new = participant._state.adding
    refusal = join_refusal(meeting, participant.user, None if new else participant)
    if refusal:
        raise ActionRefused(refusal)
    if participant.state == ADMITTED and not new:
        return rejoin(participant)
    # Someone who was in a moment ago (a reload, a closed tab) is not sent to the waiting room.
    back_soon = (
        participant.state == ParticipantState.LEFT
        and participant.left_from == ADMITTED
        and participant.updated_at > timezone.now() - BACK_WITHOUT_WAITING
    )
    denied = participant.state == ParticipantState.DENIED and not new  # a moderator decides
    if not denied and (participant.moderates or not meeting.lobby or back_soon):
        return admit(participant, actor=participant.user, move="enter")  # straight in
    transitions.apply(participant, "join", actor=participant.user)
    return participant


def rejoin(participant: Participant) -> Participant:
    """Someone in the meeting joins again (a reload, another tab, or their page reconnecting
    after Janus went away): the same place, on a Janus that still has the room; if it lost it
    (restarted), the meeting is placed again and everyone gets new tokens."""
    if participant.state != ADMITTED:
        return enter(participant)
    if participant.meeting.ended_at is not None:
        raise ActionRefused(_("This meeting has ended."))
    try:
        server = place(participant.meeting)
        participant.refresh_from_db()
        if not participant.janus_token:
            give_token(server, participant)
    except JanusUnavailable as error:
        raise MediaUnavailable() from error
    return participant


def server_of(meeting: Meeting) -> JanusServer | None:
    """The Janus of the pool the meeting was placed on, if any."""
    return next((s for s in JanusServer.pool() if s.url == meeting.janus_url), None)


def place(meeting: Meeting) -> JanusServer:
    """The Janus server the meeting runs on: kept while it answers and still has the room,
    otherwise the least-loaded healthy server of the pool, with the room created anew."""
    pool = JanusServer.pool()
    current = server_of(meeting)
    if current is not None and meeting.janus_room and current.healthy():
        try:
            if current.room_exists(meeting.janus_room):
                return current
        except JanusError:
            pass
    load = dict(
        Meeting.objects.filter(ended_at__isnull=True, janus_room__isnull=False)
        .exclude(pk=meeting.pk)
        .values_list("janus_url")
        .annotate(n=Count("pk"))
    )
    for server in sorted(pool, key=lambda server: load.get(server.url, 0)):
        if not server.healthy():
            continue
        room, secret = new_feed(), new_secret()
        try:
            server.create_room(room, secret, publishers=meeting.max_participants)
        except JanusError:
            continue
        # Two joins may place the meeting at once: the first to record its room wins, the
        # other's room is destroyed and it uses the winner's.
        placed = Meeting.objects.filter(pk=meeting.pk, janus_room=meeting.janus_room).update(
            janus_url=server.url, janus_room=room, janus_secret=secret, updated_at=timezone.now()
        )
        if not placed:
            with suppress(JanusError):
                server.destroy_room(room, secret)
            meeting.refresh_from_db()
            return server_of(meeting) or place(meeting)
        meeting.janus_url, meeting.janus_room, meeting.janus_secret = server.url, room, secret
        # Tokens given on a server that went away are useless: everyone admitted gets new ones.
        for participant in meeting.participants.filter(state=ADMITTED):
            participant.meeting = meeting
            give_token(server, participant)
        return server
    raise MediaUnavailable()


def give_token(server: JanusServer, participant: Participant, save: bool = True) -> None:
    """A Janus token for this participant, valid in their meeting's room only: Janus lets it
    open sessions, and the room's list of allowed tokens lets it join that room. Without
    ``save``, the caller stores it (``TOKEN_FIELDS``) with the move it is given for."""
    meeting = participant.meeting
    token = secrets.token_urlsafe(32)
    server.add_token(token)
    try:
        server.allow(meeting.janus_room or 0, meeting.janus_secret, token, True)
        for room, secret, _way_in in breakout_access(participant):  # back after a reload
            server.allow(room, secret, token, True)
    except JanusError:
        with suppress(JanusError):
            server.remove_token(token)
        raise
    participant.janus_token = token
    participant.janus_feed = participant.janus_feed or new_feed()
    participant.janus_screen_feed = participant.janus_screen_feed or new_feed()
    if save:
        participant.save(update_fields=[*TOKEN_FIELDS, "updated_at"])


TOKEN_FIELDS = ("janus_token", "janus_feed", "janus_screen_feed")


def breakout_access(participant: Participant, every: bool = False) -> list[tuple[int, str, bool]]:
    """The rooms of the meeting's open breakout that this person's token opens: the one they
    are placed in, or all of them for a moderator, as (Janus room, secret, True); with
    ``every``, the others too, marked False (a role changed: what it must no longer open)."""
    rooms = BreakoutRoom.objects.filter(
        breakout__meeting_id=participant.meeting_id, breakout__closed_at__isnull=True
    )
    seated = set(rooms.filter(seats__participant=participant).values_list("pk", flat=True))
    found = [
        (room.janus_room or 0, room.janus_secret, participant.moderates or room.pk in seated)
        for room in rooms.only("janus_room", "janus_secret")
    ]
    return [entry for entry in found if every or entry[2]]


def sync_breakout_access(participant: Participant) -> None:
    """After a change of role during a breakout: a new moderator may visit every room, a
    moderator no longer one keeps only their own (a Janus that does not answer keeps its
    lists, and the minute's sweep takes strangers out)."""
    server = server_of(participant.meeting)
    if server is None or not participant.janus_token:
        return
    for room, secret, allowed in breakout_access(participant, every=True):
        with suppress(JanusError):
            server.allow(room, secret, participant.janus_token, allowed)


def drop_token(meeting: Meeting, token: str) -> None:
    """Take a token back from Janus and from the room's allowed list (a Janus that is down
    has forgotten its tokens; a room that is gone, its list)."""
    server = server_of(meeting)
    if not token or server is None:
        return
    with suppress(JanusError):
        server.remove_token(token)
    if meeting.janus_room:
        with suppress(JanusError):
            server.allow(meeting.janus_room, meeting.janus_secret, token, False)


def new_feed() -> int:
    return secrets.randbelow(2**52) + 1


def check_room(meeting: Meeting, participant: Participant) -> None:
    inside = meeting.participants.filter(state=ADMITTED).exclude(pk=participant.pk).count()
    if inside >= meeting.max_participants:
        raise MeetingFull(
            _("This meeting is full (%(n)s people). Try again when someone leaves.")
            % {"n": meeting.max_participants}
        )


def admit(participant: Participant, actor: Any = None, move: str = "admit") -> Participant:
    """Let someone in (``move``: "admit" from the waiting room, "enter" straight in): a place
    on Janus and a token first (network calls, outside any database transaction), then, with
    the meeting locked, the count checked again and the move made with the token stored."""
    meeting = participant.meeting
    transitions.check(transitions.state_of(participant), move)
    check_room(meeting, participant)
    try:
        server = place(meeting)
        give_token(server, participant, save=False)
    except JanusUnavailable as error:
        raise MediaUnavailable() from error
    try:
        with transaction.atomic():
            check_room(Meeting.objects.select_for_update().get(pk=meeting.pk), participant)
            transitions.apply(participant, move, actor=actor, also=TOKEN_FIELDS)
    except ActionRefused:  # filled up, or decided by someone else, while being placed
        token, participant.janus_token = participant.janus_token, ""
        drop_token(meeting, token)
        raise
    chat.sync_member(participant)
    return participant


def moderator_of(meeting: Meeting, user: Any) -> Participant:
    """The caller, a host or moderator in the meeting now (``Meeting.get_abilities``);
    anyone else is refused, and the attempt audited."""
    actor = caller_of(meeting, user)
    if not meeting.get_abilities(user, actor)["moderate"] or actor is None:
        audit.record(
            "meet.moderation_refused",
            actor=user if getattr(user, "is_authenticated", False) else None,
            target=meeting,
        )
        raise ActionRefused(_("Only the meeting's hosts and moderators can do this."))
    return actor


def decide(user: Any, participant: Participant, admitted: bool) -> Participant:
    """A moderator admits or refuses someone in the waiting room."""
    moderator_of(participant.meeting, user)
    if admitted:
        return admit(participant, actor=user)
    transitions.apply(participant, "deny", actor=user)
    return participant


def admit_all(user: Any, meeting: Meeting) -> int:
    moderator_of(meeting, user)
    waiting = list(meeting.participants.filter(state=ParticipantState.WAITING))
    for participant in waiting:
        admit(participant, actor=user)
    return len(waiting)


def take_out(participant: Participant, move: str, actor: Any = None) -> None:
    """A move out of the meeting (leave, remove, end): the state and the token taken back
    in one transaction, then the token removed from Janus and the room's allowed list."""
    token = participant.janus_token
    participant.janus_token = ""
    try:
        transitions.apply(participant, move, actor=actor, also=("janus_token",))
    except ActionRefused:
        participant.janus_token = token
        raise
    drop_token(participant.meeting, token)


def kick(participant: Participant) -> None:
    """Take someone out of the Janus room now (a revoked token only stops new sessions)."""
    meeting = participant.meeting
    server = server_of(meeting)
    if server is None or not meeting.janus_room:
        return
    for feed in (participant.janus_feed, participant.janus_screen_feed):
        with suppress(JanusError):  # not (or no longer) in the room, or Janus down
            if feed:
                server.kick(meeting.janus_room, meeting.janus_secret, feed)


def evict_strangers(meeting: Meeting) -> int:
    """Take out of the meeting's Janus room everyone Ensemble did not place there: sessions
    whose token is not that of someone admitted now (someone removed, or who left) are
    destroyed; a publisher under an id that is not one of its own token's is detached; an id
    in the room that nobody admitted holds is kicked. Returns how many were taken out."""
    server = server_of(meeting)
    if server is None or not meeting.janus_room:
        return 0
    admitted = meeting.participants.filter(state=ADMITTED).exclude(janus_token="")
    placed = {p.janus_token: {p.janus_feed, p.janus_screen_feed} for p in admitted}
    assigned = set().union(*placed.values()) if placed else set()
    taken: set[int | None] = set()
    with suppress(JanusError):  # Janus down or refusing: the next sweep tries again
        for handle in server.room_handles(meeting.janus_room):
            feeds = placed.get(handle.token)
            with suppress(JanusError):  # gone meanwhile
                if feeds is None:
                    server.destroy_session(handle.session)
                    taken.add(handle.feed if handle.publisher else -handle.handle)
                elif handle.publisher and handle.feed not in feeds:
                    server.detach_handle(handle.session, handle.handle)
                    taken.add(handle.feed)
        with suppress(JanusError):
            for present in server.participants(meeting.janus_room):
                feed = int(present.get("id") or 0)
                if feed and feed not in assigned and feed not in taken:
                    with suppress(JanusError):
                        server.kick(meeting.janus_room, meeting.janus_secret, feed)
                        taken.add(feed)
    return len(taken)


def leave(participant: Participant) -> None:
    take_out(participant, "leave", actor=participant.user)
    evict_strangers(participant.meeting)


def remove(user: Any, participant: Participant) -> None:
    """A moderator takes someone out of the meeting for good (they cannot join it again)."""
    moderator_of(participant.meeting, user)
    if participant.role == MeetRole.HOST:
        raise ActionRefused(_("The host cannot be removed."))
    take_out(participant, "remove", actor=user)
    kick(participant)
    evict_strangers(participant.meeting)
    chat.sync_member(participant)


def lock(user: Any, meeting: Meeting, locked: bool) -> Meeting:
    moderator_of(meeting, user)
    meeting.locked = locked
    meeting.save(update_fields=["locked", "updated_at"])
    meeting_updated(meeting)
    return meeting


def end(user: Any, meeting: Meeting) -> Meeting:
    """End the meeting for everyone: tokens revoked, the Janus room destroyed."""
    moderator_of(meeting, user)
    if meeting.recording:
        with contextlib.suppress(ActionRefused):  # Janus down: its files are what they are
            set_recording(user, meeting, False)
        for recording in meeting.recordings.filter(state=RecordingState.RECORDING):
            stop_recording(recording)
        meeting.recording = False
    for participant in meeting.participants.filter(state=ADMITTED):
        take_out(participant, "end", actor=user)
    for participant in meeting.participants.exclude(janus_token=""):  # given, never admitted
        drop_token(meeting, participant.janus_token)
        Participant.objects.filter(pk=participant.pk).update(janus_token="")
    server = server_of(meeting)
    if server is not None and meeting.janus_room:
        with contextlib.suppress(JanusUnavailable):
            server.destroy_room(meeting.janus_room, meeting.janus_secret)
    meeting.ended_at = timezone.now()
    meeting.save(update_fields=["ended_at", "recording", "updated_at"])
    meeting_updated(meeting)
    audit.record("meet.meeting_ended", actor=user, target=meeting)
    return meeting


def join_info(participant: Participant) -> dict[str, Any] | None:
    """What a browser needs to reach the media: never a secret, only its own token (which
    it also gives the room when joining it: the room allows only the tokens of its people)."""
    if participant.state != ADMITTED or not participant.janus_token:
        return None
    meeting = participant.meeting
    server = server_of(meeting)
    if server is None:
        return None
    return {
        "server": server.ws_url,
        "room": meeting.janus_room,
        "token": participant.janus_token,
        "feed": participant.janus_feed,  # join the room with this id
        "screen_feed": participant.janus_screen_feed,  # and a shared screen with this one
        "display": participant.display_name,
        "stream": stream_of(meeting),  # follow it on /ws/ for who waits, joins and leaves
        "ice_servers": ice_servers(str(participant.pk)),
    }


def raise_hand(participant: Participant, raised: bool) -> Participant:
    if participant.state != ADMITTED:
        raise ActionRefused(_("Only people in the meeting can raise their hand."))
    if (participant.hand_raised_at is not None) != raised:
        participant.hand_raised_at = timezone.now() if raised else None
        participant.save(update_fields=["hand_raised_at", "updated_at"])
        publish(
            stream_of(participant.meeting),
            HandChanged(
                id=participant.pk,
                name=participant.display_name,
                raised_at=participant.hand_raised_at,
            ),
        )
    return participant


def set_role(user: Any, participant: Participant, role: str) -> Participant:
    """Promote someone to moderator, or back to participant (hosts and moderators)."""
    moderator_of(participant.meeting, user)
    if participant.role == MeetRole.HOST or role == MeetRole.HOST:
        raise ActionRefused(_("The host stays the host."))
    if participant.user_id is None and role == MeetRole.MODERATOR:
        raise ActionRefused(_("Guests cannot moderate."))
    participant.role = role
    participant.save(update_fields=["role", "updated_at"])
    sync_breakout_access(participant)
    participant_changed(participant)
    chat.sync_member(participant)
    audit.record(
        "meet.role_changed",
        actor=user,
        target=participant.meeting,
        data={"participant": str(participant.pk), "role": role},
    )
    return participant


def request_mute(user: Any, meeting: Meeting, participant: Participant | None) -> list[str]:
    """Ask one participant, or everyone but the moderators, to mute (their clients obey)."""
    actor = moderator_of(meeting, user)
    if participant is not None:
        targets = [participant] if participant.state == ADMITTED else []
    else:
        admitted = meeting.participants.filter(state=ADMITTED)
        targets = [p for p in admitted if not p.moderates]
    ids = [target.pk for target in targets]
    if ids:
        publish(stream_of(meeting), MuteRequested(ids=ids, by=actor.display_name))
    for target in targets:  # and muted in Janus, whatever their client does
        enforce_mute(target, True)
    return [str(pk) for pk in ids]


REACTIONS_PER_MINUTE = 30


def react(participant: Participant, emoji: str) -> None:
    """Show a reaction (one emoji) to everyone in the meeting, guests included."""
    if participant.state != ADMITTED:
        raise ActionRefused(_("Only people in the meeting can react."))
    emoji = emoji.strip()
    if not one_emoji(emoji):
        raise BadInput(_("A reaction is one emoji."))
    minute = int(time.time() // 60)
    if add_one(f"meet.reactions.{participant.pk}.{minute}", 120) > REACTIONS_PER_MINUTE:
        raise TooFast(_("That is a lot of reactions: wait a moment."))
    publish(
        stream_of(participant.meeting),
        Reacted(id=participant.pk, name=participant.display_name, emoji=emoji, at=timezone.now()),
    )


def set_recording(user: Any, meeting: Meeting, on: bool) -> Meeting:
    """Moderators start and stop the recording; everyone is told it is on. Each recording
    gets a folder of its own for Janus's files, turned into one video once stopped."""
    moderator_of(meeting, user)
    if meeting.recording == on:
        return meeting
    server = server_of(meeting)
    if server is None or not meeting.janus_room:
        raise ActionRefused(_("The meeting has not started on the video service yet."))
    recording = meeting.recordings.filter(state=RecordingState.RECORDING).first()
    folder = ""
    if on:
        recording = Recording.objects.create(meeting=meeting, started_by=user)
        private_folder(raw_folder(recording))  # people's voices and faces: ours only
        folder = str(raw_folder(recording))
    try:
        server.record(meeting.janus_room, meeting.janus_secret, on, folder)
    except JanusUnavailable as error:
        if on and recording is not None:
            recording.delete()
        raise MediaUnavailable() from error
    if not on and recording is not None:
        stop_recording(recording)
    meeting.recording = on
    meeting.save(update_fields=["recording", "updated_at"])
    meeting_updated(meeting)
    action = "meet.recording_started" if on else "meet.recording_stopped"
    audit.record(action, actor=user, target=meeting)
    return meeting


def stop_recording(recording: Recording) -> None:
    """The recording is over: the worker makes one video of it."""
    recording.stopped_at = timezone.now()
    recording.state = RecordingState.PROCESSING
    recording.save(update_fields=["stopped_at", "state", "updated_at"])
    transaction.on_commit(lambda: process_recording.enqueue(str(recording.pk)))


def set_devices(
    participant: Participant,
    microphone: bool,
    camera: bool,
    janus_session: int | None = None,
    janus_handle: int | None = None,
) -> Participant:
    """Someone turned their microphone or camera on or off: the others' screens show it.
    With the Janus session and handle it publishes on, Ensemble learns (from Janus, not from
    the client) which stream is its microphone, so that moderators can mute it there."""
    if participant.state != ADMITTED:
        raise ActionRefused(_("Only people in the meeting can do this."))
    if janus_session is not None and janus_handle is not None:
        participant.janus_audio_mid = audio_mid(participant, janus_session, janus_handle)
    participant.microphone, participant.camera = microphone, camera
    participant.save(update_fields=["microphone", "camera", "janus_audio_mid", "updated_at"])
    participant_changed(participant)
    if janus_session is not None:  # someone publishes: a moment to check who else does
        evict_strangers(participant.meeting)
    if microphone:
        enforce_mute(participant, False)  # a moderator's mute is lifted by unmuting oneself
    return participant


def audio_mid(participant: Participant, session: int, handle: int) -> str:
    meeting = participant.meeting
    server = server_of(meeting)
    try:
        info = server.publisher(session, handle) if server else {}
    except JanusUnavailable as error:
        raise MediaUnavailable() from error
    from ensemble.meet.breakout import janus_rooms  # its rooms: the meeting split up

    rooms = {meeting.janus_room, *janus_rooms(meeting)}
    if info.get("room") not in rooms or info.get("id") != participant.janus_feed:
        raise BadInput(_("This is not your connection to the video service."))
    mids = [s["mid"] for s in info.get("streams", []) if s.get("type") == "audio"]
    return str(mids[0]) if mids else ""


def enforce_mute(participant: Participant, mute: bool) -> None:
    """Mute a participant's microphone in Janus itself (or let it through again)."""
    meeting = participant.meeting
    server = server_of(meeting)
    if server is None or not meeting.janus_room or not participant.janus_audio_mid:
        return
    with suppress(JanusError):  # gone from the room, or Janus down: nothing to mute
        server.moderate(
            meeting.janus_room,
            meeting.janus_secret,
            participant.janus_feed or 0,
            participant.janus_audio_mid,
            mute,
        )
