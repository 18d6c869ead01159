"""Single sign-on through a real OpenID provider (npm oidc-provider, ProConnect-like)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest

from ensemble.accounts.models import ExternalIdentity, Organisation, User
from ensemble.accounts.oidc import protocol
from ensemble.accounts.oidc.views import PENDING
from ensemble.accounts.tests.conftest import ACCOUNTS, Browser
from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
CAMILLE = ACCOUNTS["camille"]


def failure_reasons() -> list[str]:
    return [
        entry.data["reason"]
        for entry in AuditEntry.objects.filter(action="accounts.sign_in_failed").order_by(
            "position"
        )
    ]


@pytest.mark.parametrize("name", ["proconnect", "ecdsa", "keycloak"])
def test_sign_in_creates_the_account_with_organisation(
    providers: Callable[..., Any], browser: Browser, name: str
) -> None:
    providers(name)
    response = browser.sign_in(name, "camille", CAMILLE["password"], next_url="/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    user = User.objects.get(email="camille.martin@lyon.fr")
    assert user.full_name == "Camille Martin"
    assert user.organisation is not None
    assert (user.organisation.name, user.organisation.siret) == ("Mairie de Lyon", "21690123100011")
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.provider == name and identity.subject == "camille"
    assert identity.claims["uid"] == "c.martin" and identity.claims["idp_id"] == "idp-lyon"
    assert identity.claims["phone"] == "+33 4 72 10 30 30"
    assert browser.client.get("/").status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.signed_in", actor=user, data__method=f"oidc:{name}"
    ).exists()


def test_signing_in_again_finds_the_same_account(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    browser.sign_in("proconnect", "camille", CAMILLE["password"])
    again = Browser()
    assert again.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    assert User.objects.filter(email="camille.martin@lyon.fr").count() == 1
    assert Organisation.objects.filter(siret="21690123100011").count() == 1


def test_wrong_state_is_refused(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    response = browser.callback(url.replace("state=", "state=x"))
    assert response.status_code == 400
    assert b"not valid or was already used" in response.content
    assert not User.objects.filter(email="camille.martin@lyon.fr").exists()
    assert failure_reasons() == ["unknown or replayed state"]


def test_a_replayed_callback_is_refused(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    assert browser.callback(url).status_code == 302
    browser.client.post("/accounts/logout/")
    assert browser.callback(url).status_code == 400
    assert failure_reasons() == ["unknown or replayed state"]


def test_a_replayed_code_is_refused_by_the_provider(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    pending = dict(browser.client.session[PENDING])
    assert browser.callback(url).status_code == 302
    session = browser.client.session
    session[PENDING] = pending  # as if the state had been kept: only the code is replayed
    session.save()
    response = browser.callback(url)
    assert response.status_code == 400
    assert failure_reasons()[0].startswith("token endpoint answered 400")


def test_wrong_nonce_is_refused(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    session = browser.client.session
    state = parse_qs(urlparse(url).query)["state"][0]
    session[PENDING] = {state: {**session[PENDING][state], "nonce": "another-nonce" * 4}}
    session.save()
    assert browser.callback(url).status_code == 400
    assert "nonce" in failure_reasons()[0]
    assert not User.objects.filter(email="camille.martin@lyon.fr").exists()


def test_missing_email_creates_nothing(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect")
    response = browser.sign_in("proconnect", "noemail", "pw")
    assert response.status_code == 400
    assert b"did not give a valid e-mail address" in response.content
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    assert failure_reasons() == ["missing or invalid e-mail"]


def test_too_low_acr_is_refused(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect", min_acr="eidas2")
    response = browser.sign_in("proconnect", "camille", CAMILLE["password"])
    assert response.status_code == 400
    assert b"not verified at the level" in response.content
    assert not User.objects.exists()
    assert failure_reasons() == ["acr 'eidas1' below the minimum 'eidas2'"]


def test_tampered_id_token_is_refused(
    providers: Callable[..., Any], browser: Browser, monkeypatch: Any
) -> None:
    providers("proconnect")
    real_exchange = protocol.exchange_code

    def tamper(*args: Any) -> dict[str, Any]:
        tokens = real_exchange(*args)
        header, payload, signature = tokens["id_token"].split(".")
        flipped = "A" if signature[5] != "A" else "B"
        return {**tokens, "id_token": f"{header}.{payload}.{signature[:5]}{flipped}{signature[6:]}"}

    monkeypatch.setattr(protocol, "exchange_code", tamper)
    response = browser.sign_in("proconnect", "camille", CAMILLE["password"])
    assert response.status_code == 400
    assert b"could not be verified" in response.content
    assert not User.objects.exists()


def test_expired_id_token_is_refused(
    providers: Callable[..., Any], browser: Browser, monkeypatch: Any
) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    later = protocol.time.time() + 3600
    monkeypatch.setattr(protocol.time, "time", lambda: later)
    assert browser.callback(url).status_code == 400
    assert failure_reasons() == ["id_token: expired"]
    assert not User.objects.exists()


def test_unreachable_provider_gives_a_clear_page(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect", discovery_url="http://127.0.0.1:9/.well-known/openid-configuration")
    response = browser.client.get("/accounts/oidc/proconnect/login/")
    assert response.status_code == 503
    assert b"cannot be reached right now" in response.content
    assert failure_reasons()[0].startswith("provider unreachable")


def test_provider_error_is_shown(providers: Callable[..., Any], browser: Browser) -> None:
    providers("proconnect")
    browser.client.get("/accounts/oidc/proconnect/login/")
    response = browser.client.get("/accounts/oidc/proconnect/callback/?error=access_denied")
    assert response.status_code == 400
    assert b"cancelled or refused" in response.content


def test_unknown_provider_is_a_404(providers: Callable[..., Any], browser: Browser) -> None:
    assert browser.client.get("/accounts/oidc/nope/login/").status_code == 404


def test_existing_local_account_is_not_taken_over_without_fallback(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    local = UserFactory(email="camille.martin@lyon.fr")
    response = browser.sign_in("proconnect", "camille", CAMILLE["password"])
    assert response.status_code == 400
    assert b"already exists" in response.content
    assert not ExternalIdentity.objects.exists()
    local.refresh_from_db()
    assert local.full_name != "Camille Martin"


def test_email_fallback_links_the_existing_account(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect", email_fallback=True)
    local = UserFactory(email="camille.martin@lyon.fr")
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    assert ExternalIdentity.objects.get().user == local


def test_deactivated_account_cannot_sign_in(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    User.objects.filter(email="camille.martin@lyon.fr").update(is_active=False)
    again = Browser()
    response = again.sign_in("proconnect", "camille", CAMILLE["password"])
    assert response.status_code == 400 and b"deactivated" in response.content


def test_local_password_sign_in_can_be_switched_off(
    providers: Callable[..., Any], browser: Browser, settings: Any
) -> None:
    providers("proconnect")
    settings.LOCAL_LOGIN_ENABLED = False
    user = UserFactory()
    page = browser.client.get("/accounts/login/")
    assert b"Sign in with Proconnect test" in page.content
    assert b'name="password"' not in page.content
    response = browser.client.post("/accounts/login/", {"email": user.email, "password": "x"})
    assert response.status_code == 400 and b"turned off" in response.content


def test_sign_out_ends_our_session_and_the_providers(
    providers: Callable[..., Any], browser: Browser, settings: Any
) -> None:
    providers("proconnect")
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    response = browser.client.post("/accounts/logout/")
    assert browser.client.get("/").status_code == 302  # our session is over
    end_session = response["Location"]
    query = parse_qs(urlparse(end_session).query)
    issuer = settings.OIDC_PROVIDERS["proconnect"].discovery_url.split("/.well-known")[0]
    assert end_session.startswith(f"{issuer}/session/end?")
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/accounts/oidc/logged-out/"]
    assert query["id_token_hint"][0].count(".") == 2
    # The provider's page confirms by itself (a form that submits); do what the browser does.
    page = browser.at_provider.get(end_session)
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = browser.at_provider.post(
        urljoin(page.url, form.group(1)), data={**fields, "logout": "yes"}, allow_redirects=False
    )
    back = done.headers["Location"]
    assert back == f"http://127.0.0.1:8000/accounts/oidc/logged-out/?state={query['state'][0]}"
    browser.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message read below
    landing = browser.callback(back)
    assert landing.status_code == 302 and landing["Location"] == "/accounts/login/"
    page_after = browser.client.get(landing["Location"])
    assert b"You are signed out of Ensemble and of Proconnect test." in page_after.content
    assert not AuditEntry.objects.filter(action="accounts.provider_sign_out_unconfirmed").exists()
    # At the provider, signing in again now asks for the password.
    start = Browser(browser.client).client.get("/accounts/oidc/proconnect/login/")
    again = browser.at_provider.get(start["Location"], allow_redirects=True)
    assert "/interaction/" in again.url and 'name="password"' in again.text
