"""Janus tells Ensemble at once who enters a meeting's room: its HTTP event handler posts the
VideoRoom's events here, and someone joining or publishing in a room has that room swept
(``evict_strangers``) within a second, so an intruder with a valid token who publishes under
an id that is not its own (another participant's screen feed) is not shown to the others until
the next minute's sweep. The sweep stays as the safety net (an event lost, Janus restarted).

Janus waits for the answer before it posts its next events, so the sweep runs after the
answer, in a thread of this process: at once (a background job would wait for the worker,
busy or polling), and at most one waiting per meeting however many events a join makes."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ensemble.meet.actions import evict_strangers
from ensemble.meet.models import Meeting

logger = logging.getLogger(__name__)

USER = "janus"  # the basic-auth user Janus shows (deploy/janus/janus.eventhandler.sampleevh.jcfg)
MAX_BODY = 256 * 1024  # a group of events is a few kilobytes; anything far bigger is refused
PLUGIN_EVENT = 64  # Janus's event type for a plugin's events
ENTERING = {"joined", "published", "subscribing"}  # a handle entering a room, or sending in it
MAX_WAITING = 64  # meetings waiting for a sweep; beyond, the periodic sweep catches up

_waiting: set[str] = set()
_lock = threading.Lock()


def authorized(request: HttpRequest) -> bool:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = f"{USER}:{settings.JANUS_EVENTS_SECRET}".encode()
    return hmac.compare_digest(f"{user}:{password}".encode(), expected)


def rooms_entered(events: Iterable[Any]) -> set[int]:
    """The VideoRoom rooms someone joined, published or subscribed in, from Janus's events."""
    rooms: set[int] = set()
    for event in events:
        if not isinstance(event, dict) or event.get("type") != PLUGIN_EVENT:
            continue
        body = event.get("event")
        if not isinstance(body, dict) or body.get("plugin") != "janus.plugin.videoroom":
            continue
        data = body.get("data")
        if isinstance(data, dict) and data.get("event") in ENTERING:
            room = data.get("room")
            if isinstance(room, int) and not isinstance(room, bool) and room > 0:
                rooms.add(room)
    return rooms


@csrf_exempt  # Janus has no cookie nor CSRF token: the password is its proof
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    """Janus's events (one object, or a list when grouped): 204 once read, the sweeps after."""
    if not authorized(request):
        response = JsonResponse({"detail": "Unauthorized."}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="janus-events"'
        return response
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = MAX_BODY + 1
    if length > MAX_BODY:
        return JsonResponse({"detail": "Too large."}, status=413)
    try:
        events = json.loads(request.read(MAX_BODY + 1)[:MAX_BODY])
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": "Not JSON."}, status=400)
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list):
        return JsonResponse({"detail": "Not a Janus event."}, status=400)
    rooms = rooms_entered(events)
    if rooms:
        meetings = Meeting.objects.filter(ended_at__isnull=True, janus_room__in=rooms)
        sweep_soon(str(pk) for pk in meetings.values_list("pk", flat=True))
    return HttpResponse(status=204)


def sweep_soon(meetings: Iterable[str]) -> None:
    """Sweep these meetings' rooms in threads of their own, at most one waiting per meeting
    (the events of one join come in a burst)."""
    with _lock:
        started = [pk for pk in meetings if pk not in _waiting]
        started = started[: max(0, MAX_WAITING - len(_waiting))]
        _waiting.update(started)
    for pk in started:
        threading.Thread(target=sweep, args=(pk,), name=f"janus-sweep-{pk}", daemon=True).start()


def sweep(pk: str) -> None:
    with _lock:
        _waiting.discard(pk)  # events from now on need a sweep after this one's look
    try:
        meeting = Meeting.objects.filter(pk=pk, ended_at__isnull=True).first()
        if meeting is not None:
            evict_strangers(meeting)
    except Exception:
        logger.exception("sweeping the Janus room of meeting %s failed", pk)
    finally:
        connections.close_all()
