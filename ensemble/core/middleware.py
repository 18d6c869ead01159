"""Refuse, before any view, query parameters and form fields holding a text no database can
store: a NUL character (PostgreSQL refuses it in text, and a search with it was a 500). JSON
bodies are checked by the JSON parser (core/parsers.py), WebSocket frames by the consumer."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

from ensemble.core.parsers import unstorable_reason

API_PREFIXES = ("/api/", "/scim/")


class RefuseUnstorableText:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = unstorable_in(request.GET)
        if reason is None and request.content_type == "application/x-www-form-urlencoded":
            reason = unstorable_in(request.POST)  # multipart: Django forms' own validator
        if reason is not None:
            return refusal(request, reason)
        return self.get_response(request)


def unstorable_in(values: QueryDict) -> str | None:
    for key, texts in values.lists():
        for text in [key, *texts]:
            reason = unstorable_reason(text)
            if reason is not None:
                return reason
    return None


def refusal(request: HttpRequest, reason: str) -> HttpResponse:
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
