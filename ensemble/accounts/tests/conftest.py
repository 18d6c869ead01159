"""A real OpenID provider for the single sign-on tests: e2e/oidc-provider (npm oidc-provider)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
import requests
from django.test import Client

from ensemble.accounts.oidc.config import DEFAULT_ACR_VALUES, OIDCProvider
from ensemble.core.ports import free_port

PROVIDER_DIR = Path(__file__).resolve().parents[3] / "e2e" / "oidc-provider"
SITE_URL = "http://127.0.0.1:8000"
SECRET = "a-client-secret-that-is-long-enough-0123456789"

ACCOUNTS = {
    "camille": {
        "password": "camille-pw",
        "claims": {
            "email": "camille.martin@lyon.fr",
            "email_verified": True,
            "given_name": "Camille",
            "usual_name": "Martin",
            "uid": "c.martin",
            "siret": "21690123100011",
            "organization_label": "Mairie de Lyon",
            "idp_id": "idp-lyon",
            "phone": "+33 4 72 10 30 30",
        },
    },
    "noemail": {"password": "pw", "claims": {"given_name": "Sans", "usual_name": "Courriel"}},
    "ana": {"password": "ana-pw", "claims": {"email": "ana@lyon.fr", "given_name": "Ana"}},
    "bea": {
        "password": "pw",
        "claims": {"email": "bea@lyon.fr", "email_verified": False, "given_name": "Béa"},
    },
    "cleo": {"password": "pw", "claims": {"email": "cleo@lyon.fr", "email_verified": "true"}},
    # Second factor at the provider (ProConnect's acr levels), and the phone_number claim.
    "dominique": {
        "password": "pw",
        "acr": "eidas1-mfa",
        "claims": {"email": "dominique@lyon.fr", "phone_number": "+33 1 23 45 67 89"},
    },
    "eliott": {"password": "pw", "acr": "eidas0-mfa", "claims": {"email": "eliott@lyon.fr"}},
    "faible": {"password": "pw", "acr": "eidas0", "claims": {"email": "faible@lyon.fr"}},
    # Claims of the wrong JSON type.
    "listmail": {"password": "pw", "claims": {"email": ["liste@lyon.fr"]}},
    "numsiret": {"password": "pw", "claims": {"email": "num@lyon.fr", "siret": 21690123100011}},
    "objname": {"password": "pw", "claims": {"email": "obj@lyon.fr", "given_name": {"a": "b"}}},
}
# One client per way of signing: RS256 or ES256 ID tokens, signed (ProConnect) or JSON userinfo.
CLIENTS = {
    "proconnect": {
        "id_token_signed_response_alg": "RS256",
        "userinfo_signed_response_alg": "RS256",
    },
    "ecdsa": {"id_token_signed_response_alg": "ES256", "userinfo_signed_response_alg": "ES256"},
    "keycloak": {"id_token_signed_response_alg": "RS256"},
}


def client_metadata(name: str, site_url: str, extra: dict[str, str]) -> dict[str, Any]:
    return {
        "client_id": f"ensemble-{name}",
        "client_secret": SECRET,
        "redirect_uris": [f"{site_url}/accounts/oidc/{name}/callback/"],
        "post_logout_redirect_uris": [f"{site_url}/accounts/oidc/logged-out/"],
        **extra,
    }


@dataclass(frozen=True)
class OpenIDProvider:
    issuer: str

    def provider(self, name: str, **changes: Any) -> OIDCProvider:
        configured = OIDCProvider(
            name=name,
            label=f"{name.title()} test",
            client_id=f"ensemble-{name}",
            client_secret=SECRET,
            discovery_url=f"{self.issuer}/.well-known/openid-configuration",
            scopes="openid email given_name usual_name uid siret organization_label idp_id phone",
            acr_values=DEFAULT_ACR_VALUES,
            min_acr="eidas1",
            email_fallback=False,
        )
        return replace(configured, **changes)


def start_openid_provider(
    site_url: str, log: Path
) -> tuple[OpenIDProvider, subprocess.Popen[bytes]]:
    port = free_port()
    env = {
        **os.environ,
        "OP_PORT": str(port),
        "OP_ACCOUNTS": json.dumps(ACCOUNTS),
        "OP_CLIENTS": json.dumps(
            [client_metadata(name, site_url, extra) for name, extra in CLIENTS.items()]
        ),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            ["node", "server.mjs"], cwd=PROVIDER_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            return OpenIDProvider(issuer), process
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def openid_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenIDProvider]:
    op, process = start_openid_provider(SITE_URL, tmp_path_factory.mktemp("op") / "op.log")
    yield op
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def providers(settings: Any, openid_provider: OpenIDProvider) -> Callable[..., OIDCProvider]:
    """providers(name, **changes): configure Ensemble with that provider (and return it)."""
    settings.SITE_URL = SITE_URL
    settings.OIDC_PROVIDERS = {}

    def configure(name: str = "proconnect", **changes: Any) -> OIDCProvider:
        configured = openid_provider.provider(name, **changes)
        settings.OIDC_PROVIDERS = {**settings.OIDC_PROVIDERS, name: configured}
        return configured

    return configure


class Browser:
    """A person's browser at the provider (its own cookies), and our site through a test client."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client()
        self.at_provider = requests.Session()

    def authorize(self, name: str, login: str, password: str, next_url: str = "") -> str:
        """Start at Ensemble, sign in at the provider; return the callback URL it sends back."""
        start = self.client.get(
            f"/accounts/oidc/{name}/login/" + (f"?next={next_url}" if next_url else "")
        )
        assert start.status_code == 302, start.content[:500]
        answer = self.at_provider.get(start["Location"], allow_redirects=False)
        for _step in range(20):  # a provider that keeps asking is a failure, not a hang
            location = urljoin(answer.url, answer.headers.get("Location", ""))
            if answer.is_redirect and location.startswith(SITE_URL):
                return location
            if answer.is_redirect:
                answer = self.at_provider.get(location, allow_redirects=False)
                continue
            assert "/interaction/" in answer.url, answer.text[:500]
            answer = self.at_provider.post(
                answer.url.split("?")[0] + "/login",
                data={"login": login, "password": password},
                allow_redirects=False,
            )
        raise AssertionError(f"the provider keeps asking: {answer.url}")

    def callback(self, url: str) -> Any:
        parts = urlparse(url)
        return self.client.get(f"{parts.path}?{parts.query}")

    def sign_in(self, name: str, login: str, password: str, next_url: str = "") -> Any:
        return self.callback(self.authorize(name, login, password, next_url))


@pytest.fixture
def browser(db: Any) -> Browser:
    return Browser()
