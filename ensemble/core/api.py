"""What every API of Ensemble shares: error format."""

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

if TYPE_CHECKING:
    from ensemble.accounts.models import User


def acting_user(request: Request) -> "User":
    """The signed-in user of an API view (every API view requires authentication)."""
    return cast("User", request.user)


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model validation errors turned into 400 instead of 500."""
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        error = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(error, context)
