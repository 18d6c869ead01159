"""Response headers that keep what the suite answers out of caches.

The other security headers come from maintained code configured in settings.py: Django's
SecurityMiddleware (HSTS, nosniff, referrer and opener policies), django-csp
(Content-Security-Policy) and django-permissions-policy (Permissions-Policy).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PRIVATE_PREFIXES = ("/api/", "/scim/")


class NoStoreForApi:
    """API and SCIM answers carry personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES):
            patch_cache_control(response, no_store=True)
        return response
