"""Invitations to a room: by e-mail (accounts.guests) and from a CSV file."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.guests import invite
from ensemble.accounts.models import User
from ensemble.chat.actions.members import may_enter, member_changed
from ensemble.chat.models import Room, RoomMember, RoomRole
from ensemble.core.refusals import BadInput


def join_by_invitation(invitation: Any, user: User) -> None:
    room = Room.objects.get(pk=invitation.target_id)
    may_enter(room, user)
    member, created = RoomMember.objects.get_or_create(
        room=room,
        user=user,
        defaults={"role": RoomRole.MEMBER if user.is_external else invitation.role},
    )
    if created:
        member_changed(room, user, member.role, "joined")


CSV_MAX_ROWS = 500


def invite_from_csv(request: Any, actor: User, room: Room, text: str) -> dict[str, list[str]]:
    """Invite every e-mail address found in a CSV export (one per row, any column)."""
    if not room.get_abilities(actor)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators invite."))
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > CSV_MAX_ROWS:
        raise BadInput(_("At most %(n)s rows at a time.") % {"n": CSV_MAX_ROWS})
    report: dict[str, list[str]] = {"invited": [], "added": [], "refused": []}
    for row in rows:
        email = next((cell.strip() for cell in row if "@" in cell), None)
        if email is None:
            continue
        try:
            sent = invite(request, actor, room, email, RoomRole.MEMBER)
        except ActionRefused:
            report["refused"].append(email)
        else:
            report["invited" if sent is not None else "added"].append(email.lower())
    return report
