"""How a participant's state may change: one table, and one function that applies a move.

A move is made with the participant's row locked, in one transaction with its event
(``meet.participant.changed``, sent on commit) and its audit entry. A move the table does not
have is refused: someone removed stays removed for that meeting, someone refused may ask
again only into the waiting room, and only someone who was in the meeting and left comes back
without waiting (``actions.BACK_WITHOUT_WAITING``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.core import audit
from ensemble.meet.events import participant_changed
from ensemble.meet.models import Participant, ParticipantState

NEW = ""  # someone not yet in the meeting's list
WAITING, ADMITTED = ParticipantState.WAITING, ParticipantState.ADMITTED
DENIED, LEFT, REMOVED = ParticipantState.DENIED, ParticipantState.LEFT, ParticipantState.REMOVED

# (state before, move) -> state after. "join" is into the waiting room; "enter" is straight
# in, for those who need not wait (moderators, a meeting without a waiting room, someone back
# a moment after leaving the meeting: the actions decide), never for someone refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "enter"): ADMITTED,
    (WAITING, "enter"): ADMITTED,
    (LEFT, "enter"): ADMITTED,
    (NEW, "join"): WAITING,
    (WAITING, "join"): WAITING,
    (LEFT, "join"): WAITING,
    (DENIED, "join"): WAITING,  # may ask again, never straight in
    (WAITING, "admit"): ADMITTED,
    (WAITING, "deny"): DENIED,
    (WAITING, "leave"): LEFT,
    (ADMITTED, "leave"): LEFT,
    (ADMITTED, "end"): LEFT,
    (WAITING, "remove"): REMOVED,
    (ADMITTED, "remove"): REMOVED,
    (LEFT, "remove"): REMOVED,
    (DENIED, "remove"): REMOVED,
}

AUDITED_AS = {
    "join": "meet.participant_joined",
    "enter": "meet.participant_admitted",
    "admit": "meet.participant_admitted",
    "deny": "meet.participant_denied",
    "leave": "meet.participant_left",
    "end": "meet.participant_left",
    "remove": "meet.participant_removed",
}


def refused(state: str, move: str) -> str:
    """What someone asking for a move the table does not have is told."""
    if state == REMOVED and move in ("join", "enter"):
        return _("You were removed from this meeting.")
    if state == REMOVED and move == "remove":
        return _("This person was already removed.")
    if move in ("admit", "deny"):
        return _("This person is not in the waiting room.")
    if move == "leave":
        return _("You are not in this meeting.")
    return _("This cannot be done now.")


def state_of(participant: Participant) -> str:
    """Where a participant stands for the table (``NEW`` if not yet stored)."""
    return NEW if participant._state.adding else participant.state


def check(state: str, move: str) -> None:
    """Refuse a move the table does not have from ``state`` (before any work is done)."""
    if (state, move) not in TRANSITIONS:
        raise ActionRefused(refused(state, move))


def apply(
    participant: Participant, move: str, actor: Any = None, also: tuple[str, ...] = ()
) -> str:
    """Make ``move`` (in ``TRANSITIONS``) with the participant's row locked; returns the state
    it came from. Saves a new participant (one joining for the first time), else the state
    and the fields named in ``also``."""
    with transaction.atomic():
        if participant._state.adding:
            before = NEW
        else:
            before = (
                Participant.objects.select_for_update()
                .values_list("state", flat=True)
                .get(pk=participant.pk)
            )
        after = TRANSITIONS.get((before, move))
        if after is None:
            raise ActionRefused(refused(before, move))
        participant.state = after
        if after == LEFT:
            participant.left_from = before
        if before == NEW:
            participant.save()
        else:
            participant.save(update_fields=["state", "left_from", "updated_at", *also])
        participant_changed(participant)
        audit.record(
            AUDITED_AS[move],
            actor=actor,
            target=participant.meeting,
            data={
                "participant": str(participant.pk),
                "name": participant.display_name,
                "move": move,
                "from": before or "new",
                "to": after,
            },
        )
    return before
