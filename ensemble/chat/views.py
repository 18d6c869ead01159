"""The chat page: a shell the TypeScript island (frontend/src/chat/) fills from the API."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ensemble.chat.api.views import visible_rooms
from ensemble.chat.models import CREATED_KINDS, NotifyLevel, RoomKind
from ensemble.chat.notices import notice_strings
from ensemble.core.scanning import ScanState


@login_required
def chat_view(request: HttpRequest, room_id: uuid.UUID | None = None) -> HttpResponse:
    room = None
    if room_id is not None:
        room = visible_rooms(request.user).filter(pk=room_id).first()  # type: ignore[arg-type]
        if room is None or not room.get_abilities(request.user)["retrieve"]:
            raise Http404(_("No such room, or you are not in it."))
    context = {
        "room": room,
        "max_bytes": settings.CHAT_ATTACHMENT_MAX_BYTES,
        "kinds": [choice for choice in RoomKind.choices if choice[0] in CREATED_KINDS],
        "strings": strings(),
        "notify_levels": NotifyLevel.choices,
    }
    return render(request, "chat/page.html", context)


def strings() -> dict[str, str]:
    """What the page's script writes, in the reader's language ({name} is filled in)."""
    return {
        "edited": _("(edited)"),
        "deleted": _("This message was deleted."),
        "reply": _("Reply in a thread"),
        "react": _("React"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirmDelete": _("Delete this message? Its content will be removed for everyone."),
        "oneReply": _("1 reply"),
        "replies": _("{n} replies"),
        "typingOne": _("{name} is typing…"),
        "typingMany": _("{names} are typing…"),
        "online": _("{n} online"),
        "tooLarge": _("{name} is larger than {size}, the largest this server accepts."),
        "uploadFailed": _("{name} could not be sent: {reason}"),
        "remove": _("Remove"),
        "noRooms": _("No rooms yet: create one."),
        "direct": _("Direct conversation"),
        "guest": _("Guest"),
        "unread": _("{n} unread"),
        "mentions": _("{n} mentions"),
        "error": _("Something went wrong. Try again."),
        "readOnly": _("You can read this room; join it to write."),
        "archived": _("This room is archived: it can be read, not written in."),
        "confirmLeave": _("Leave this room? You will need an invitation to come back."),
        "removedFrom": _("You were removed from {room}."),
        "bannedFrom": _("You were banned from {room}."),
        "backToRooms": _("Back to your rooms"),
        "scanPending": str(ScanState.PENDING.label),
        "scanFailed": str(ScanState.FAILED.label),
        "scanInfected": str(ScanState.INFECTED.label),
        "scanUnscanned": str(ScanState.UNSCANNED.label),
        "scanTooLarge": str(ScanState.TOO_LARGE.label),
        **panel_strings(),
        **notice_strings(),
    }


def panel_strings() -> dict[str, str]:
    """What the side panels write (people, members, settings, search, pins, mentions)."""
    return {
        "external": _("External"),
        "externalTitle": _("A guest, or someone of another organisation"),
        "pinned": _("Pinned"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "team": _("Team"),
        "removeFromList": _("Remove from the list"),
        "recent": _("Recent"),
        "nobodyFound": _("Nobody found."),
        "noContacts": _("Type a name to find someone."),
        "notAdded": _("Not added: {names}"),
        "noForums": _("No forum found."),
        "join": _("Join"),
        "joined": _("Joined"),
        "you": _("(you)"),
        "roleOf": _("Role of {name}"),
        "role_admin": _("Administrator"),
        "role_moderator": _("Moderator"),
        "role_member": _("Member"),
        "removeMember": _("Remove"),
        "ban": _("Ban"),
        "confirmRemove": _("Remove {name} from the room?"),
        "confirmBan": _("Ban {name}? They cannot come back until a moderator lifts the ban."),
        "liftBan": _("Lift the ban"),
        "confirmLiftBan": _("Lift the ban on {name}? They can then be added to the room again."),
        "memberCount": _("{n} members"),
        "added": _("{n} added to the room."),
        "invited": _("An invitation was sent to {email}."),
        "csvReport": _("{invited} invited, {added} added, {refused} refused."),
        "presence_online": _("Online"),
        "presence_away": _("Away"),
        "presence_offline": _("Offline"),
        "confirmRetention": _("Delete messages older than {n} days, now and from now on?"),
        "confirmArchive": _("Archive this room? It will be read-only for everyone."),
        "noResults": _("No message found."),
        "noPins": _("No pinned message yet."),
        "summaryWorking": _("Summarising…"),
        "summaryByModel": _("Summary written by the language model:"),
        "summaryExtract": _(
            "Extract: the messages that best stand for the others ({parts} messages)."
        ),
        "summaryWhere": _("(message {part})"),
        "summaryNothing": _("Nothing to summarise here yet."),
        "everyone": _("Everyone in the room"),
    }
