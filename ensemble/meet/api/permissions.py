"""The API's one check of Meet: each action of a meeting needs an ability of
``Meeting.get_abilities`` (named in the view's ``ability_for_action``; an action not named
there is refused), for the caller's place in it: their account, or a guest's key."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from ensemble.core import audit
from ensemble.meet.abilities import MODERATION, refusal
from ensemble.meet.models import Meeting

# Abilities of someone with a place in the meeting: without one, the meeting is "not joined".
NEEDS_PLACE = ("me", "leave", "see_people", "chat", "devices", "raise_hand", "react")


class MeetingAbility(BasePermission):
    """Listing one's meetings and creating one need an account; everything else is decided
    on the meeting by the caller's abilities."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if getattr(view, "action", None) in ("list", "create"):
            return bool(request.user and request.user.is_authenticated)
        return True

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if not isinstance(obj, Meeting):
            return False
        needed = getattr(view, "ability_for_action", {}).get(getattr(view, "action", None))
        if needed is None:  # an action nobody thought about: refused
            return False
        caller = view.caller(request, obj)  # type: ignore[attr-defined]
        if obj.get_abilities(request.user, caller).get(needed, False):
            return True
        if needed in NEEDS_PLACE and caller is None:
            raise exceptions.NotFound(_("You have not joined this meeting."))
        if needed in MODERATION or needed == "moderate":
            audit.record(
                "meet.moderation_refused",
                actor=request.user if request.user.is_authenticated else None,
                target=obj,
            )
        message = refusal(obj, request.user, caller, needed)
        if needed == "retrieve" and not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(message)
        raise exceptions.PermissionDenied(message)
