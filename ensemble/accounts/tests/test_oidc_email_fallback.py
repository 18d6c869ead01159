"""OIDC_<NAME>_EMAIL_FALLBACK: when a first sign-in may take over an existing account by e-mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from ensemble.accounts.models import ExternalIdentity
from ensemble.accounts.tests.conftest import ACCOUNTS, Browser
from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def failure_reasons() -> list[str]:
    entries = AuditEntry.objects.filter(action="accounts.sign_in_failed").order_by("position")
    return [entry.data["reason"] for entry in entries]


def test_a_verified_address_links_the_account(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect", email_fallback=True)
    local = UserFactory(email="camille.martin@lyon.fr")
    response = browser.sign_in("proconnect", "camille", ACCOUNTS["camille"]["password"])
    assert response.status_code == 302
    assert ExternalIdentity.objects.get().user == local
    linked = AuditEntry.objects.get(action="accounts.identity_linked")
    assert linked.data == {"provider": "proconnect", "subject": "camille", "by": "e-mail"}


@pytest.mark.parametrize(
    ("login", "email"),
    [("ana", "ana@lyon.fr"), ("bea", "bea@lyon.fr"), ("cleo", "cleo@lyon.fr")],
    ids=["email_verified absent", "email_verified false", "email_verified the string true"],
)
def test_an_address_the_provider_does_not_call_verified_links_nothing(
    providers: Callable[..., Any], browser: Browser, login: str, email: str
) -> None:
    providers("proconnect", email_fallback=True)
    local = UserFactory(email=email)
    response = browser.sign_in("proconnect", login, ACCOUNTS[login]["password"])
    assert response.status_code == 400
    assert b"does not say that the address is verified" in response.content
    assert not ExternalIdentity.objects.exists()
    assert failure_reasons() == ["e-mail fallback refused: e-mail not verified by the provider"]
    assert not browser.client.get("/").wsgi_request.user.is_authenticated
    local.refresh_from_db()
    assert local.last_login is None


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_an_operator_account_is_never_linked_by_address(
    providers: Callable[..., Any], browser: Browser, flag: str
) -> None:
    providers("proconnect", email_fallback=True)
    UserFactory(email="camille.martin@lyon.fr", **{flag: True})
    response = browser.sign_in("proconnect", "camille", ACCOUNTS["camille"]["password"])
    assert response.status_code == 400
    assert b"An operator&#x27;s account is never linked" in response.content
    assert not ExternalIdentity.objects.exists()
    assert failure_reasons() == ["e-mail fallback refused: operator account"]


def test_an_account_with_a_second_factor_is_not_linked_by_address(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect", email_fallback=True)
    UserFactory(
        email="camille.martin@lyon.fr", totp_enabled=True, totp_secret=pyotp.random_base32()
    )
    response = browser.sign_in("proconnect", "camille", ACCOUNTS["camille"]["password"])
    assert response.status_code == 400
    assert b"protected by two-factor authentication" in response.content
    assert b"Sign in with your password and code" in response.content
    assert not ExternalIdentity.objects.exists()
    assert failure_reasons() == ["e-mail fallback refused: two-factor authentication on"]
    assert not browser.client.get("/").wsgi_request.user.is_authenticated


def test_without_fallback_the_person_is_told_to_ask_an_administrator(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect")
    UserFactory(email="camille.martin@lyon.fr")
    response = browser.sign_in("proconnect", "camille", ACCOUNTS["camille"]["password"])
    assert response.status_code == 400
    assert b"Ask your administrator to link it to Proconnect test." in response.content
    assert failure_reasons() == ["e-mail already used by an unlinked account"]


def test_an_email_verified_of_another_type_does_not_refuse_a_new_account(
    providers: Callable[..., Any], browser: Browser
) -> None:
    providers("proconnect", email_fallback=True)
    assert browser.sign_in("proconnect", "cleo", "pw").status_code == 302
    identity = ExternalIdentity.objects.get(subject="cleo")
    assert identity.claims["email_verified"] == "true"
