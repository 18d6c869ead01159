"""Meet's meeting page (the home page is ``home.py``): a shell the TypeScript island
(frontend/src/meet/) fills: device check, waiting room, then the meeting itself."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ensemble.meet.guests import exchange_old_key, guest_key, remember_guest
from ensemble.meet.models import Access, Meeting
from ensemble.meet.team_rooms import is_member, reopened

CODE = re.compile(r"[a-z]{3}-[a-z]{4}-[a-z]{3}")


def code_of(text: str) -> str:
    """A join code from what someone pasted: the code itself or a whole link."""
    found = CODE.search(text.strip().lower().replace(" ", ""))
    return found.group(0) if found else ""


def meeting_page(request: HttpRequest, code: str) -> HttpResponse:
    meeting = Meeting.objects.filter(code=code).first()
    if meeting is None:
        raise Http404(_("No meeting has this code."))
    if "key" in request.GET:
        # An older link carrying a guest's key: the key moves to a cookie (a new key, so that
        # the link, which may sit in logs, works once) and the page is opened without it.
        response = redirect("meet:meeting", code=meeting.code)
        key = exchange_old_key(meeting, request.GET["key"])
        if key:
            remember_guest(response, meeting.code, key)
        return response
    if not meeting.get_abilities(request.user)["retrieve"]:  # guests: public meetings only
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    if meeting.team_id is not None and is_member(meeting.team_id, request.user):
        meeting = reopened(meeting)  # a team's room, ended last time: open again
    if request.user.is_authenticated:
        returning = meeting.participants.filter(user=request.user.pk).exists()
    else:  # a guest's key is in a cookie the page's script cannot read: the page is told
        key = guest_key(request, meeting.code)
        returning = bool(key) and meeting.participants.filter(guest_key=key).exists()
    context = {
        "meeting": meeting,
        "returning": returning,
        "strings": strings(),
        "page_size": settings.MEET_PAGE_SIZE,
        "mute_above": settings.MEET_MUTE_ABOVE,
        # "Members of the team" only for a team's room (elsewhere the API refuses it)
        "access_choices": [
            (value, label)
            for value, label in Access.choices
            if value != Access.TEAM or meeting.team_id is not None
        ],
    }
    return render(request, "meet/meeting.html", context)


def strings() -> dict[str, str]:
    """What the page's script writes, in the reader's language ({name} is filled in)."""
    return {
        "noCamera": _("No camera found: the others will see your initials."),
        "noDevices": _(
            "Your browser did not give access to the camera or microphone. You can join "
            "without them, or allow them in the browser's settings."
        ),
        "nameNeeded": _("Give the name the others will see."),
        "waiting": _("Waiting for a moderator to let you in…"),
        "denied": _("A moderator did not let you in."),
        "removed": _("A moderator removed you from the meeting."),
        "ended": _("The meeting has ended."),
        "left": _("You left the meeting."),
        "reconnecting": _("Connection lost: reconnecting…"),
        "mediaFailed": _("The video service cannot be reached. Retrying…"),
        "you": _("{name} (you)"),
        "screenOf": _("Screen of {name}"),
        "fullScreen": _("Full screen"),
        "mutedBy": _("{name} muted your microphone."),
        "handUp": _("{name} raised their hand"),
        "muted": _("Microphone off"),
        "admit": _("Admit"),
        "deny": _("Refuse"),
        "remove": _("Remove"),
        "mute": _("Mute"),
        "promote": _("Make moderator"),
        "demote": _("Make participant"),
        "confirmRemove": _("Remove {name} from the meeting?"),
        "confirmEnd": _("End the meeting for everyone?"),
        "waitingCount": _("{n} waiting"),
        "page": _("Page {page} of {pages}"),
        "recordingOn": _("This meeting is being recorded."),
        "startRecording": _("Start recording"),
        "stopRecording": _("Stop recording"),
        "lock": _("Lock the meeting"),
        "unlock": _("Unlock the meeting"),
        "host": _("Host"),
        "moderator": _("Moderator"),
        "guest": _("Guest"),
        "deleted": _("This message was deleted."),
        "edited": _("(edited)"),
        "error": _("Something went wrong. Try again."),
        "mutedOnJoin": _("Your microphone is off: this meeting is large."),
        "waitingOne": _("{name} is waiting to join."),
        "waitingMany": _("{n} people are waiting to join."),
        "accessChanged": _("Who may join: {access}"),
        "copied": _("Copied: {what}"),
        "copyFailed": _("Could not copy: select the text and copy it by hand."),
        "blurFailed": _("This browser cannot blur the background: the others see it as it is."),
        "share": _("Share the screen"),
        "stopSharing": _("Stop sharing"),
    }
