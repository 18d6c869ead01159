"""A provider that answers HTML instead of JSON, or claims of the wrong type: the refusal page
and an audit entry, never a 500.

A small HTTP server of the test's own stands in for a broken provider: it serves the real test
provider's discovery document with one endpoint pointed at a page of its own."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from ensemble.accounts.models import ExternalIdentity, User
from ensemble.accounts.tests.conftest import ACCOUNTS, Browser, OpenIDProvider
from ensemble.core.models import AuditEntry
from ensemble.core.ports import free_port

pytestmark = pytest.mark.django_db
CAMILLE = ACCOUNTS["camille"]
HTML = "text/html; charset=utf-8"
ERROR_PAGE = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"


class BrokenProvider:
    """Serves ``pages``: path -> (content type, body), for GET and POST alike."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                content_type, body = pages.get(self.path.split("?")[0], (HTML, ERROR_PAGE))
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery_with(self, real_issuer: str, **endpoints: str) -> str:
        """Serve the real provider's discovery document with these endpoints replaced by paths
        of this server; return its discovery URL."""
        document = requests.get(f"{real_issuer}/.well-known/openid-configuration", timeout=5).json()
        document |= {name: self.url + path for name, path in endpoints.items()}
        self.pages["/.well-known/openid-configuration"] = (
            "application/json",
            json.dumps(document).encode(),
        )
        return f"{self.url}/.well-known/openid-configuration"


@pytest.fixture
def broken() -> Iterator[BrokenProvider]:
    server = BrokenProvider()
    yield server
    server.server.shutdown()
    server.server.server_close()


def failure_reasons() -> list[str]:
    entries = AuditEntry.objects.filter(action="accounts.sign_in_failed").order_by("position")
    return [entry.data["reason"] for entry in entries]


def assert_refused(response: Any, status: int = 502) -> None:
    assert response.status_code == status
    assert b"Sign-in failed" in response.content
    assert b"sent an answer that Ensemble cannot use" in response.content
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()


def test_a_discovery_document_in_html_is_refused(
    providers: Callable[..., Any], browser: Browser, broken: BrokenProvider
) -> None:
    providers("proconnect", discovery_url=f"{broken.url}/.well-known/openid-configuration")
    assert_refused(browser.client.get("/accounts/oidc/proconnect/login/"))
    assert failure_reasons() == [
        f"provider answer unusable: discovery document is not JSON ({HTML})"
    ]


def test_a_discovery_document_without_text_endpoints_is_refused(
    providers: Callable[..., Any], browser: Browser, broken: BrokenProvider
) -> None:
    providers("proconnect", discovery_url=f"{broken.url}/.well-known/openid-configuration")
    document = {"issuer": ["x"], "authorization_endpoint": 1, "token_endpoint": "t"}
    broken.pages["/.well-known/openid-configuration"] = (
        "application/json",
        json.dumps(document).encode(),
    )
    assert_refused(browser.client.get("/accounts/oidc/proconnect/login/"))
    assert failure_reasons() == [
        "provider answer unusable: discovery document: no text for "
        "issuer, authorization_endpoint, jwks_uri"
    ]


@pytest.mark.parametrize(
    ("endpoint", "page", "reason"),
    [
        ("token_endpoint", (HTML, ERROR_PAGE), f"token response is not JSON ({HTML})"),
        (
            "token_endpoint",
            ("application/json", b'["id_token"]'),
            "token response is a JSON list, not an object",
        ),
        (
            "token_endpoint",
            ("application/json", b'{"id_token": 1, "access_token": ["a"]}'),
            "token response: id_token or access_token is not text",
        ),
        ("jwks_uri", (HTML, ERROR_PAGE), f"JWKS is not JSON ({HTML})"),
        (
            "jwks_uri",
            ("application/json", b'{"keys": "none"}'),
            "JWKS is not a key set: MissingKeyError",
        ),
        ("userinfo_endpoint", (HTML, ERROR_PAGE), f"userinfo is not JSON ({HTML})"),
        (
            "userinfo_endpoint",
            ("application/json", b'"camille"'),
            "userinfo is a JSON str, not an object",
        ),
    ],
    ids=[
        "token html",
        "token list",
        "token types",
        "jwks html",
        "jwks not keys",
        "userinfo html",
        "userinfo string",
    ],
)
def test_an_unusable_answer_of_an_endpoint_is_refused(
    providers: Callable[..., Any],
    browser: Browser,
    broken: BrokenProvider,
    openid_provider: OpenIDProvider,
    endpoint: str,
    page: tuple[str, bytes],
    reason: str,
) -> None:
    broken.pages["/broken"] = page
    discovery = broken.discovery_with(openid_provider.issuer, **{endpoint: "/broken"})
    providers("proconnect", discovery_url=discovery)
    assert_refused(browser.sign_in("proconnect", "camille", CAMILLE["password"]))
    assert failure_reasons() == [f"provider answer unusable: {reason}"]


@pytest.mark.parametrize(
    ("login", "claim", "kind"),
    [
        ("listmail", "email", "list"),
        ("numsiret", "siret", "int"),
        ("objname", "given_name", "dict"),
    ],
)
@pytest.mark.parametrize("name", ["proconnect", "keycloak"], ids=["signed", "json"])
def test_a_claim_of_the_wrong_type_is_refused(
    providers: Callable[..., Any], browser: Browser, name: str, login: str, claim: str, kind: str
) -> None:
    providers(name)
    response = browser.sign_in(name, login, "pw")
    assert response.status_code == 502
    assert b"Sign-in failed" in response.content
    assert f"in a form that Ensemble cannot use ({claim})".encode() in response.content
    assert failure_reasons() == [f"userinfo: claim {claim!r} is {kind}, not str"]
    assert not User.objects.exists()
