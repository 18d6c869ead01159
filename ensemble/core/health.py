"""Health endpoints for load balancers and orchestrators.

Anyone may ask whether the suite is ready; only operators (staff signed in, or a caller with
``Authorization: Bearer <HEALTH_TOKEN>``) are told which engine failed and why, since the
details name hosts, paths and errors that help an attacker more than a load balancer.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from ensemble.core.checks import run_engine_checks


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive (it touches no engine)."""
    return JsonResponse({"status": "ok"})


def is_operator(request: HttpRequest) -> bool:
    """Staff signed in, or the bearer of the configured HEALTH_TOKEN."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token: str = settings.HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given, token)


def readyz(request: HttpRequest) -> JsonResponse:
    """Every engine the suite needs answers: 200 if so, 503 if not; the detail of each
    check for operators only."""
    results = run_engine_checks()
    ready = all(result.ok for result in results)
    body: dict[str, object] = {"status": "ok" if ready else "unavailable"}
    if is_operator(request):
        body["checks"] = {r.name: {"ok": r.ok, "detail": r.detail} for r in results}
    return JsonResponse(body, status=200 if ready else 503)
