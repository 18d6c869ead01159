"""Health endpoints for load balancers and orchestrators."""

from django.http import HttpRequest, JsonResponse

from ensemble.core.checks import run_engine_checks


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive (it touches no engine)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Every engine the suite needs answers: 200 if so, 503 with the detail if not."""
    results = run_engine_checks()
    ready = all(result.ok for result in results)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }
    return JsonResponse(body, status=200 if ready else 503)
