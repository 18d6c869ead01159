"""Personal API tokens: issuing, checking, and the DRF authentication that enforces scopes.

A token reads ``ens_<prefix>_<secret>``. Only a SHA-256 digest is stored (the secret has 256 bits
of entropy, so no slow hash is needed); the prefix finds the row, the digest is compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ensemble.accounts.models import ApiToken, TokenScope

PREFIX_LENGTH = 8
MAX_DAYS = 366
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_value() -> tuple[str, str, str]:
    """(the token to show once, its prefix, its digest)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    return f"ens_{prefix}_{secret}", prefix, digest(secret)


def expiry(days: int) -> Any:
    return timezone.now() + timedelta(days=days)


def find_token(value: str) -> ApiToken:
    """The token of this value, or an AuthenticationFailed that says what is wrong."""
    parts = value.split("_", 2)  # the secret itself may hold "_"
    if len(parts) != 3 or parts[0] != "ens" or len(parts[1]) != PREFIX_LENGTH:
        raise exceptions.AuthenticationFailed(_("This is not an Ensemble API token."))
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, digest(parts[2])):
        raise exceptions.AuthenticationFailed(_("Unknown API token."))
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("This API token was revoked."))
    if token.expires_at <= timezone.now():
        raise exceptions.AuthenticationFailed(_("This API token has expired."))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("The account of this API token is deactivated."))
    return token


def needed_scope(request: Request) -> str:
    """The scope a token needs for this request: what its view names in
    ``required_token_scope`` (SCIM names "scim"), else "read" to read and "write" to change."""
    context = getattr(request, "parser_context", None) or {}
    named = getattr(context.get("view"), "required_token_scope", None)
    if named:
        return str(named)
    return TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer ens_…`` on the REST API.

    The token's scopes are checked here, while authenticating, and not by a permission class:
    every DRF view authenticates before anything else, and a view that sets its own
    ``permission_classes`` cannot drop the check. A view may only add checks of its own.
    """

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.startswith("ens_"):
            return None
        token = find_token(value.strip())
        needed = needed_scope(request)
        if needed not in token.scopes:
            raise exceptions.PermissionDenied(
                _("This API token does not have the “%(scope)s” scope.") % {"scope": needed}
            )
        if token.last_used_at is None or timezone.now() - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
