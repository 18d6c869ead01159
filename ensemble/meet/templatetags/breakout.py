"""``{% breakout_strings %}``: what the breakout rooms' part of the meeting page writes, in the
reader's language, for ``frontend/src/meet/breakout.ts`` ({name} and the like filled in)."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def strings() -> dict[str, str]:
    return {
        "title": _("Breakout rooms"),
        "rooms": _("Number of rooms"),
        "random": _("At random"),
        "byHand": _("By hand"),
        "mainRoom": _("Main room"),
        "minutes": _("Duration in minutes (empty: until you bring everyone back)"),
        "open": _("Open the rooms"),
        "room": _("Room {n}"),
        "join": _("Go to this room"),
        "back": _("Back to the main room"),
        "message": _("Message to every room"),
        "send": _("Send to every room"),
        "bringBack": _("Bring everyone back"),
        "youAreIn": _("You are in {room}."),
        "openNow": _("Breakout rooms are open."),
        "left": _("{time} left"),
        "messageFrom": _("Message from {name}: {text}"),
        "movedTo": _("You are now in {room}."),
        "backInMain": _("Back in the main room."),
        "nobody": _("Nobody"),
        "close": _("Close"),
        "sent": _("Message sent to every room."),
        "whoWhere": _("Who is where"),
        "whoWhereHint": _(
            "Choose a room for each person, or move them: someone who joins late starts in "
            "the main room."
        ),
        "placed": _("{name} is now in {room}."),
        "placedMain": _("{name} is back in the main room."),
    }


@register.simple_tag
def breakout_strings() -> SafeString:
    return json_script(strings(), "breakout-strings")
