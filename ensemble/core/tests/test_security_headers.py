"""Every answer carries the security headers: a Content-Security-Policy without inline script,
a Permissions-Policy, HSTS over https, no-store on the API; the web server names no software."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.conftest import run_ensemble, web_server

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
# The chat's HTML export is a file to keep, opened from disk: its styles must travel inside it.
SELF_CONTAINED = {"chat/templates/chat/export_head.html"}
TEMPLATES = [
    path
    for path in sorted((ROOT / "ensemble").glob("**/templates/**/*.html"))
    if str(path.relative_to(ROOT / "ensemble")) not in SELF_CONTAINED
]


def policy_of(response: Any) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return {name: value for name, value in directives}


def test_pages_forbid_inline_scripts_and_anything_from_elsewhere() -> None:
    assert policy_of(Client().get("/accounts/login/")) == {
        "default-src": "'self'",
        "script-src": "'self' 'wasm-unsafe-eval'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "font-src": "'self'",
        "media-src": "'self' blob:",
        "connect-src": "'self' ws://127.0.0.1:8188",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
    }


@pytest.mark.parametrize("path", ["/", "/chat/", "/meet/", "/accounts/security/", "/api/docs/"])
def test_every_page_has_the_policy(client_of: Any, path: str) -> None:
    answer = client_of(UserFactory())
    response = answer.get(path)
    assert response.status_code == 200
    assert policy_of(response)["script-src"] == "'self' 'wasm-unsafe-eval'"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_handlers_or_styles(template: Path) -> None:
    text = template.read_text()
    scripts = re.findall(r"<script\b[^>]*>", text)
    assert [tag for tag in scripts if "src=" not in tag] == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert re.findall(r"\sstyle\s*=|<style\b", text) == []
    assert "javascript:" not in text


def test_permissions_policy_allows_the_camera_microphone_and_screen_to_the_suite_only() -> None:
    header = Client().get("/accounts/login/")["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in header.split(", "))
    allowed = {name: value for name, value in features.items() if value != "()"}
    assert allowed == {
        "camera": "(self)",
        "microphone": "(self)",
        "display-capture": "(self)",
        "fullscreen": "(self)",
        "autoplay": "(self)",
    }
    assert features["geolocation"] == "()" and features["usb"] == "()"
    assert features["payment"] == "()" and features["clipboard-read"] == "()"


def test_hsts_is_sent_over_https(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    assert Client().get("/accounts/login/", secure=True)["Strict-Transport-Security"] == (
        "max-age=31536000"
    )
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/")


@pytest.mark.parametrize(
    ("site", "seconds", "secure_cookies"),
    [
        ("https://ensemble.example.gouv.fr", "31536000", "True"),
        ("http://127.0.0.1:8000", "0", "False"),
    ],
)
def test_hsts_and_secure_cookies_follow_the_site_address(
    embedded_env: dict[str, str], site: str, seconds: str, secure_cookies: str
) -> None:
    shown = run_ensemble(
        "manage",
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        env={**embedded_env, "SITE_URL": site},
    )
    assert shown.stdout.strip().splitlines()[-1].split() == [
        seconds,
        secure_cookies,
        secure_cookies,
    ]


def test_api_and_scim_answers_are_never_stored(client_of: Any) -> None:
    browser = client_of(UserFactory())
    assert browser.get("/api/v1/sessions/")["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/sessions/")["Cache-Control"] == "no-store"  # refusals too
    assert Client().get("/scim/v2/Users")["Cache-Control"] == "no-store"
    assert "Cache-Control" not in browser.get("/accounts/security/")


def test_the_web_server_does_not_name_itself(embedded_env: dict[str, str]) -> None:
    with web_server(embedded_env) as (url, _):
        headers = requests.get(f"{url}/healthz", timeout=10).headers
    assert "server" not in headers
    directives = [part.strip() for part in headers["Content-Security-Policy"].split(";")]
    assert "script-src 'self' 'wasm-unsafe-eval'" in directives  # in whatever order they come
