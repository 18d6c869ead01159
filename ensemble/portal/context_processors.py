from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "portal": {
            "state_branding": settings.STATE_BRANDING,
            "tagline": settings.PORTAL_TAGLINE or _("Work together, on your own servers"),
        }
    }
