from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ensemble.accounts.actions import touch_session
from ensemble.accounts.models import UserSession
from ensemble.core import audit
from ensemble.core.realtime import close_sockets_of
from ensemble.core.sessions import TOUCH_KEY, idle_for, is_idle, touch_due


class SessionTrackingMiddleware:
    """Keep 'last active' of the session list fresh (one write per session every 5 minutes),
    and end a session idle for longer than SESSION_IDLE_SECONDS.

    A session also ends SESSION_COOKIE_AGE after its first request, however active: its expiry
    is fixed then, since Django would otherwise push it back each time the session is saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.session_key:
            now = timezone.now().timestamp()
            since = idle_for(request.session, now)
            if since is None:  # the first request of the session (or one from before this)
                request.session.set_expiry(
                    timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
                )
            if since is not None and is_idle(request.session, now):
                end_idle_session(request, since)
            elif touch_due(request.session, now):
                touch_session(request.session.session_key)
                request.session[TOUCH_KEY] = now
        return self.get_response(request)


def end_idle_session(request: HttpRequest, idle_seconds: float) -> None:
    """Sign out a session nobody used for SESSION_IDLE_SECONDS: the request goes on signed
    out (a page asks to sign in again, the API answers 401 or 403)."""
    key = request.session.session_key or ""
    audit.record(
        "accounts.session_idle_ended", request=request, data={"idle_seconds": int(idle_seconds)}
    )
    UserSession.objects.filter(session_key=key).delete()
    close_sockets_of([key])
    logout(request)
