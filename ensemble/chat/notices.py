"""What the chat page writes for browser notifications, "seen by", the threads panel and link
previews (its script fills in {name}), in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notice_strings() -> dict[str, str]:
    return {
        "notifyOn": _("Turn on notifications"),
        "notifyMention": _("{author} mentioned you in {room}"),
        "notifyDirect": _("{author} wrote to you"),
        "notifyCount": _("{n} new messages for you in {room}"),
        "seenBy": _("Seen by {names}"),
        "noThreads": _("No thread yet: reply to a message to start one."),
        "threadUnread": _("{n} new"),
        "open": _("Open"),
    }
