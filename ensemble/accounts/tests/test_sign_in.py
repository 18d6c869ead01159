"""Signing in with e-mail and password: errors, lock-out, second factor, audit."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client

from ensemble.accounts.models import UserSession
from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def post_login(client: Client, email: str, password: str, ip: str = "192.0.2.1") -> Any:
    return client.post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_right_password_signs_in_records_session_and_audits() -> None:
    user = UserFactory()
    client = Client()
    response = post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="accounts.signed_in", actor=user).exists()


def test_wrong_password_is_refused_with_a_clear_message() -> None:
    user = UserFactory()
    response = post_login(Client(), user.email, "wrong")
    assert response.status_code == 400
    assert b"E-mail address or password is incorrect." in response.content
    assert AuditEntry.objects.filter(action="accounts.sign_in_failed").count() == 1


def test_unknown_account_reads_like_a_wrong_password() -> None:
    response = post_login(Client(), "nobody@example.org", "whatever")
    assert b"E-mail address or password is incorrect." in response.content


def test_empty_form_shows_field_errors() -> None:
    response = Client().post("/accounts/login/", {})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_account_is_locked_after_repeated_failures(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    client = Client()
    for _ in range(3):
        post_login(client, user.email, "wrong")
    # Even the right password is refused while locked, with a message saying for how long.
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert b"Too many failed sign-in attempts" in response.content
    assert b"15 more minute" in response.content
    # Another account from another address is not affected.
    other = UserFactory()
    assert post_login(Client(), other.email, PASSWORD, ip="192.0.2.99").status_code == 302


def test_lock_out_ends_after_the_lockout_period(settings: Any, time_machine: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    time_machine.move_to("2026-06-01 10:00:00+00:00", tick=False)
    for _ in range(2):
        post_login(Client(), user.email, "wrong")
    time_machine.move_to("2026-06-01 10:14:00+00:00", tick=False)
    assert post_login(Client(), user.email, PASSWORD).status_code == 400
    time_machine.move_to("2026-06-01 10:16:00+00:00", tick=False)
    assert post_login(Client(), user.email, PASSWORD).status_code == 302


def test_an_address_trying_many_accounts_is_locked(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    for number in range(4):
        post_login(Client(), f"guess{number}@example.org", "wrong", ip="198.51.100.7")
    user = UserFactory()
    response = post_login(Client(), user.email, PASSWORD, ip="198.51.100.7")
    assert b"Too many failed sign-in attempts" in response.content
    assert post_login(Client(), user.email, PASSWORD, ip="198.51.100.8").status_code == 302


def test_deactivated_account_cannot_sign_in() -> None:
    user = UserFactory(is_active=False)
    assert post_login(Client(), user.email, PASSWORD).status_code == 400


def test_second_factor_is_asked_and_checked() -> None:
    secret = pyotp.random_base32()
    user = UserFactory(totp_secret=secret, totp_enabled=True)
    client = Client()
    response = post_login(client, user.email, PASSWORD)
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/").status_code == 302  # not signed in yet
    response = client.post("/accounts/login/code/", {"code": "000000"})
    assert response.status_code == 400
    assert b"This code is not valid" in response.content
    response = client.post("/accounts/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_open_redirect_is_refused() -> None:
    user = UserFactory()
    client = Client()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"email": user.email, "password": PASSWORD},
    )
    assert response["Location"] == "/"


def test_sign_out_ends_the_session() -> None:
    user = UserFactory()
    client = Client()
    post_login(client, user.email, PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405  # only by POST (CSRF-protected)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
