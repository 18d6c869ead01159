"""The card a chat message shows for a link to a meeting (``ensemble.core.previews``): only to
readers who may see the meeting, as its page would show it to them."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from ensemble.core.previews import Card, register
from ensemble.meet.abilities import caller_of
from ensemble.meet.models import CODE_LETTERS, Meeting

PATH = rf"/meet/(?P<code>[{CODE_LETTERS}]{{3}}-[{CODE_LETTERS}]{{4}}-[{CODE_LETTERS}]{{3}})/?"


def meeting_card(reader: Any, match: re.Match[str]) -> Card | None:
    meeting = Meeting.objects.filter(code=match.group("code")).first()
    if meeting is None:
        return None
    abilities = meeting.get_abilities(reader, caller_of(meeting, reader))
    if not abilities["retrieve"]:
        return None
    if meeting.ended_at is not None:
        state = _("This meeting has ended.")
    elif meeting.starts_at is not None:
        state = _("Scheduled meeting")
    else:
        state = _("Video meeting")
    return Card(
        kind="meeting",
        url=meeting.link,
        title=meeting.title,
        subtitle=state,
        time=meeting.starts_at,
        action=_("Join") if abilities["join"] else "",
    )


def register_previews() -> None:
    register("meeting", PATH, meeting_card)
