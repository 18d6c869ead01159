"""ProConnect's details: acr levels and the claims parameter, RFC 9207's iss, the state of the
post-logout redirect, phone_number, and accounts managed by SCIM."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from ensemble.accounts.models import ExternalIdentity, Organisation, User
from ensemble.accounts.oidc import protocol
from ensemble.accounts.tests.conftest import ACCOUNTS, Browser, OpenIDProvider
from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core import audit
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
CAMILLE = ACCOUNTS["camille"]


def failure_reasons() -> list[str]:
    entries = AuditEntry.objects.filter(action="accounts.sign_in_failed").order_by("position")
    return [entry.data["reason"] for entry in entries]


def signed_in_as(browser: Browser) -> str | None:
    user = browser.client.get("/accounts/profile/").wsgi_request.user
    return user.email if user.is_authenticated else None


# acr ------------------------------------------------------------------------------------


def test_the_acr_is_asked_with_the_claims_parameter(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    start = browser.client.get("/accounts/oidc/proconnect/login/")
    query = parse_qs(urlparse(start["Location"]).query)
    assert "acr_values" not in query
    assert json.loads(query["claims"][0]) == {
        "id_token": {
            "acr": {
                "essential": True,
                "values": ["eidas1", "eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"],
            }
        }
    }


@pytest.mark.parametrize("login", ["dominique", "eliott"], ids=["eidas1-mfa", "eidas0-mfa"])
def test_proconnect_second_factor_levels_are_accepted_by_default(
    providers: Callable[..., Any], browser: Browser, login: str
) -> None:
    providers("proconnect")
    response = browser.sign_in("proconnect", login, ACCOUNTS[login]["password"])
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(browser) == ACCOUNTS[login]["claims"]["email"]


@pytest.mark.parametrize(
    ("login", "accepted"),
    [("camille", False), ("dominique", True), ("eliott", True)],
    ids=["eidas1", "eidas1-mfa", "eidas0-mfa"],
)
def test_a_minimum_of_eidas0_mfa_asks_for_a_second_factor(
    providers: Callable[..., Any], browser: Browser, login: str, accepted: bool
) -> None:
    providers("proconnect", min_acr="eidas0-mfa")
    response = browser.sign_in("proconnect", login, ACCOUNTS[login]["password"])
    if accepted:
        assert response.status_code == 302
        assert failure_reasons() == []
    else:
        assert response.status_code == 400
        assert b"not verified at the level" in response.content
        assert failure_reasons() == ["acr 'eidas1' below the minimum 'eidas0-mfa'"]


def test_a_level_below_those_asked_is_refused_by_the_provider(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    response = browser.sign_in("proconnect", "faible", "pw")  # acr eidas0: not asked for
    assert response.status_code == 400
    assert b"cancelled or refused" in response.content
    assert failure_reasons() == [
        "provider error: access_denied: acr eidas0 is not among those asked"
    ]
    assert not User.objects.exists()


# RFC 9207 ---------------------------------------------------------------------------------


def without_iss(url: str) -> str:
    parts = urlparse(url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k != "iss"}
    return parts._replace(query=urlencode(query, doseq=True)).geturl()


def test_an_answer_without_iss_is_refused_when_the_provider_sends_it(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    assert "iss" in parse_qs(urlparse(url).query)
    response = browser.callback(without_iss(url))
    assert response.status_code == 400
    assert b"not meant for this service" in response.content
    assert failure_reasons() == ["no iss parameter, though the provider says it sends one"]
    assert not User.objects.exists()


def test_an_answer_with_another_iss_is_refused(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    response = browser.callback(without_iss(url) + "&iss=https%3A%2F%2Fidp.attacker.example")
    assert response.status_code == 400
    assert failure_reasons() == ["iss parameter differs from the provider's issuer"]
    assert not User.objects.exists()


def test_an_answer_without_iss_is_accepted_from_a_provider_that_never_sends_it(
    providers: Callable[..., Any], browser: Browser
) -> None:
    provider = providers("proconnect")
    document = protocol.metadata(provider)
    del document["authorization_response_iss_parameter_supported"]
    cache.set(protocol.cache_key("metadata", provider), document)
    url = browser.authorize("proconnect", "camille", CAMILLE["password"])
    assert browser.callback(without_iss(url)).status_code == 302


# The state of the post-logout redirect ------------------------------------------------------


def sign_out_at_provider(providers: Callable[..., Any], browser: Browser) -> str:
    """Sign in, sign out; return the state sent to the provider's end-session endpoint."""
    providers("proconnect")
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    browser.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages read below
    end_session = browser.client.post("/accounts/logout/")["Location"]
    return parse_qs(urlparse(end_session).query)["state"][0]


def unconfirmed() -> list[str]:
    entries = AuditEntry.objects.filter(action="accounts.provider_sign_out_unconfirmed")
    entries = entries.order_by("position")
    return [entry.data["reason"] for entry in entries]


def test_the_state_sent_back_after_logout_is_checked(
    providers: Callable[..., Any], browser: Browser
) -> None:
    state = sign_out_at_provider(providers, browser)
    landing = browser.client.get("/accounts/oidc/logged-out/", {"state": state + "x"})
    assert landing.status_code == 302 and landing["Location"] == "/accounts/login/"
    page = browser.client.get("/accounts/login/")
    assert b"the sign-out at your identity provider could not be confirmed" in page.content
    assert b"and of Proconnect test" not in page.content
    assert unconfirmed() == ["state missing or different from the one sent"]
    # The state is used once: even the right one, now, is not confirmed.
    browser.client.get("/accounts/oidc/logged-out/", {"state": state})
    assert unconfirmed()[-1] == "no sign-out at a provider was started from this browser"


def test_the_right_state_confirms_the_sign_out(
    providers: Callable[..., Any], browser: Browser
) -> None:
    state = sign_out_at_provider(providers, browser)
    landing = browser.client.get("/accounts/oidc/logged-out/", {"state": state})
    assert landing["Location"] == "/accounts/login/"
    page = browser.client.get("/accounts/login/")
    assert b"You are signed out of Ensemble and of Proconnect test." in page.content
    assert unconfirmed() == []


def test_a_logout_return_without_state_is_not_confirmed(
    providers: Callable[..., Any], browser: Browser
) -> None:
    sign_out_at_provider(providers, browser)
    browser.client.get("/accounts/oidc/logged-out/")
    assert unconfirmed() == ["state missing or different from the one sent"]


# Claims -------------------------------------------------------------------------------------


def test_phone_number_is_kept_on_the_identity(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    assert browser.sign_in("proconnect", "dominique", "pw").status_code == 302
    identity = ExternalIdentity.objects.get(subject="dominique")
    assert identity.claims["phone_number"] == "+33 1 23 45 67 89"


def linked_camille(openid_provider: OpenIDProvider, **fields: Any) -> User:
    user = UserFactory(email="camille.martin@lyon.fr", full_name="Camille Martin-Durand", **fields)
    ExternalIdentity.objects.create(
        user=user, provider="proconnect", issuer=openid_provider.issuer, subject="camille"
    )
    return user


@pytest.mark.parametrize("how", ["externalId", "created by SCIM"])
def test_sign_in_keeps_the_organisation_and_name_given_by_scim(
    providers: Callable[..., Any], browser: Browser, openid_provider: OpenIDProvider, how: str
) -> None:
    providers("proconnect")
    provisioned = OrganisationFactory(name="Métropole de Lyon")
    user = linked_camille(
        openid_provider,
        organisation=provisioned,
        scim_external_id="ext-42" if how == "externalId" else "",
    )
    if how == "created by SCIM":
        audit.record("scim.user_created", target=user)
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    user.refresh_from_db()
    assert user.organisation == provisioned
    assert user.full_name == "Camille Martin-Durand"
    assert not Organisation.objects.filter(siret=CAMILLE["claims"]["siret"]).exists()


def test_sign_in_updates_the_organisation_of_an_account_not_managed_by_scim(
    providers: Callable[..., Any], browser: Browser, openid_provider: OpenIDProvider
) -> None:
    providers("proconnect")
    user = linked_camille(openid_provider, organisation=OrganisationFactory())
    assert browser.sign_in("proconnect", "camille", CAMILLE["password"]).status_code == 302
    user.refresh_from_db()
    assert user.organisation is not None
    assert user.organisation.siret == CAMILLE["claims"]["siret"]
    assert user.full_name == "Camille Martin"
