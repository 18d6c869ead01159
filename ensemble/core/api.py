"""What every API of Ensemble shares: error format, the acting user, the ability check."""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from ensemble.core.refusals import ActionRefused

if TYPE_CHECKING:
    from ensemble.accounts.models import User

logger = logging.getLogger(__name__)

# The largest whole number a database column holds (a signed 64-bit integer).
MAX_INT = 2**63 - 1


def acting_user(request: Request) -> "User":
    """The signed-in user of an API view (every API view requires authentication)."""
    return cast("User", request.user)


class Refused(exceptions.APIException):
    """An action's refusal, answered with its own status and message."""

    def __init__(self, refusal: ActionRefused) -> None:
        self.status_code = refusal.status_code
        super().__init__(str(refusal))
        self.wait = getattr(refusal, "wait", None)  # a rate limit's: DRF sends Retry-After


def refusing(act: Callable[[], Any]) -> Any:
    """Run an action; a refusal becomes the HTTP error it names (403, 400, 409, 413…)."""
    try:
        return act()
    except ActionRefused as refusal:
        raise Refused(refusal) from refusal


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = _("This conflicts with something that already exists.")
    default_code = "conflict"


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus what would otherwise be a 500: model validation errors (400), a
    unique constraint the request ran into (409), and a value the database cannot hold, a
    number or a date out of range (400). Views give clearer messages where they can; this is
    the safety net, and it logs what it caught so that the view can be made to."""
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        error = exceptions.ValidationError(detail=detail)
    elif isinstance(error, IntegrityError):
        logger.warning("a request ran into a database constraint", exc_info=error)
        error = Conflict()
    elif isinstance(error, DataError | OverflowError):
        logger.warning("a request gave a value the database cannot hold", exc_info=error)
        error = exceptions.ValidationError(
            {"detail": _("A value is out of the range that can be stored.")}
        )
    return drf_exception_handler(error, context)


def query_int(request: Request, name: str, default: int, minimum: int = 0) -> int:
    """A whole-number query parameter (ASCII digits), from ``minimum`` to MAX_INT, or 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    text = raw.strip()
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise exceptions.ValidationError({name: _("Give a whole number.")})
    value = int(text)
    if not minimum <= value <= MAX_INT:
        raise exceptions.ValidationError(
            {
                name: _("Give a whole number from %(minimum)s to %(maximum)s.")
                % {"minimum": minimum, "maximum": MAX_INT}
            }
        )
    return value


class ObjectFirst:
    """For a viewset: an action on one object looks the object up (and so checks that the
    caller may see it, and the view's object permissions) before anything else, before its
    body is read. Someone who may not see the object gets 404 or 403, never a 400 that tells
    them it exists."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        view = cast("Any", self)
        known = getattr(view, "action", None) is not None  # else: 405, said by dispatch
        if known and (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            view.get_object()


class HasAbility(BasePermission):
    """DRF permission: the view's action needs an ability on the object.

    A view names the ability of each action in ``ability_for_action``, by action or by
    action and method (``"avatar:post": "update"``); default: the action's own name, e.g.
    "retrieve", "update", "destroy"; "partial_update" needs "update". With ``ObjectFirst``
    it is checked before the body is read.
    """

    message = _("You do not have permission to do this.")

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        method = (request.method or "get").lower()
        action = getattr(view, "action", None) or method
        mapping: dict[str, str] = getattr(view, "ability_for_action", {})
        needed = (
            mapping.get(f"{action}:{method}")
            or mapping.get(action)
            or ("update" if action == "partial_update" else action)
        )
        return bool(obj.get_abilities(request.user).get(needed, False))
