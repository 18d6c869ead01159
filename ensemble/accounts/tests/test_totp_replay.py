"""A TOTP code is accepted once (RFC 6238 §5.2), at sign-in and on the security page; turning
the second factor off asks for the password or a current code."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client

from ensemble.accounts.models import User
from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine: Any) -> None:
    time_machine.move_to("2026-06-01 10:00:05+00:00", tick=False)


def with_totp() -> tuple[User, pyotp.TOTP]:
    secret = pyotp.random_base32()
    return UserFactory(totp_secret=secret, totp_enabled=True), pyotp.TOTP(secret)


def sign_in(user: User, code: str, ip: str = "192.0.2.1") -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=ip)
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    return client, client.post("/accounts/login/code/", {"code": code})


def test_a_code_signs_in_once(frozen: None) -> None:
    user, totp = with_totp()
    _client, first = sign_in(user, totp.now())
    assert first.status_code == 302
    _client, again = sign_in(user, totp.now(), ip="198.51.100.9")
    assert again.status_code == 400
    assert b"This code is not valid" in again.content


def test_an_older_code_is_refused_after_a_newer_one(time_machine: Any) -> None:
    time_machine.move_to("2026-06-01 10:00:05+00:00", tick=False)
    user, totp = with_totp()
    older = totp.now()
    time_machine.move_to("2026-06-01 10:00:35+00:00", tick=False)
    assert sign_in(user, totp.now())[1].status_code == 302
    assert sign_in(user, older)[1].status_code == 400  # still within the window, but older


def test_the_next_code_signs_in_again(time_machine: Any) -> None:
    time_machine.move_to("2026-06-01 10:00:05+00:00", tick=False)
    user, totp = with_totp()
    assert sign_in(user, totp.now())[1].status_code == 302
    time_machine.move_to("2026-06-01 10:00:35+00:00", tick=False)
    assert sign_in(user, totp.now())[1].status_code == 302


def test_turning_off_needs_the_password_or_a_code(frozen: None, client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    client.post("/accounts/security/totp/start/")
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    setup_code = totp.now()
    client.post("/accounts/security/totp/confirm/", {"code": setup_code})
    user.refresh_from_db()
    assert user.totp_enabled

    refused = client.post("/accounts/security/totp/disable/", follow=True)
    assert b"Enter your password or a current code" in refused.content
    wrong = client.post("/accounts/security/totp/disable/", {"password": "not it"}, follow=True)
    assert b"Enter your password or a current code" in wrong.content
    replayed = client.post("/accounts/security/totp/disable/", {"code": setup_code}, follow=True)
    assert b"Enter your password or a current code" in replayed.content
    user.refresh_from_db()
    assert user.totp_enabled
    assert not AuditEntry.objects.filter(action="accounts.totp_disabled").exists()

    client.post("/accounts/security/totp/disable/", {"password": PASSWORD})
    user.refresh_from_db()
    assert not user.totp_enabled
    assert AuditEntry.objects.filter(action="accounts.totp_disabled", actor=user).exists()


def test_turning_off_with_a_fresh_code(time_machine: Any, client_of: Any) -> None:
    time_machine.move_to("2026-06-01 10:00:05+00:00", tick=False)
    user = UserFactory()
    client = client_of(user)
    client.post("/accounts/security/totp/start/")
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    client.post("/accounts/security/totp/confirm/", {"code": totp.now()})
    time_machine.move_to("2026-06-01 10:00:35+00:00", tick=False)
    client.post("/accounts/security/totp/disable/", {"code": totp.now()})
    user.refresh_from_db()
    assert not user.totp_enabled


def test_the_setup_code_cannot_be_replayed(frozen: None, client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    client.post("/accounts/security/totp/start/")
    user.refresh_from_db()
    code = pyotp.TOTP(user.totp_secret).now()
    client.post("/accounts/security/totp/confirm/", {"code": code})
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_last_step is not None
    # Signing in with the code that turned the factor on is a replay.
    assert sign_in(user, code)[1].status_code == 400
