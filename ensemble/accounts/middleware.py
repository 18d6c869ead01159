from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ensemble.accounts.actions import touch_session

TOUCH_EVERY = timedelta(minutes=5)
TOUCH_KEY = "accounts.touched"


class SessionTrackingMiddleware:
    """Keep 'last active' of the session list fresh (one write per session every 5 minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.session_key:
            now = timezone.now().timestamp()
            if now - request.session.get(TOUCH_KEY, 0) > TOUCH_EVERY.total_seconds():
                touch_session(request.session.session_key)
                request.session[TOUCH_KEY] = now
        return self.get_response(request)
