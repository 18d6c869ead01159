"""What every API of Ensemble shares: error format, the acting user, the ability check."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
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


def acting_user(request: Request) -> "User":
    """The signed-in user of an API view (every API view requires authentication)."""
    return cast("User", request.user)


class Refused(exceptions.APIException):
    """An action's refusal, answered with its own status and message."""

    def __init__(self, refusal: ActionRefused) -> None:
        self.status_code = refusal.status_code
        super().__init__(str(refusal))


def refusing(act: Callable[[], Any]) -> Any:
    """Run an action; a refusal becomes the HTTP error it names (403, 400, 409, 413…)."""
    try:
        return act()
    except ActionRefused as refusal:
        raise Refused(refusal) from refusal


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model validation errors turned into 400 instead of 500."""
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        error = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(error, context)


class HasAbility(BasePermission):
    """DRF permission: the view's action needs an ability on the object.

    A view names the ability of each action in ``ability_for_action`` (default: the action's
    own name, e.g. "retrieve", "update", "destroy"; "partial_update" needs "update").
    """

    message = _("You do not have permission to do this.")

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        action = getattr(view, "action", None) or (request.method or "get").lower()
        mapping: dict[str, str] = getattr(view, "ability_for_action", {})
        needed = mapping.get(action) or ("update" if action == "partial_update" else action)
        return bool(obj.get_abilities(request.user).get(needed, False))
