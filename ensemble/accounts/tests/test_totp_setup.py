"""Turning the second factor on and off from the security page."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_set_up_confirm_and_turn_off(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    client.post("/accounts/security/totp/start/")
    page = client.get("/accounts/security/")
    user.refresh_from_db()
    assert user.totp_secret and not user.totp_enabled
    assert b"<svg" in page.content and user.totp_secret.encode() in page.content
    wrong = client.post("/accounts/security/totp/confirm/", {"code": "123456"}, follow=True)
    assert b"This code is not valid" in wrong.content
    user.refresh_from_db()
    assert not user.totp_enabled
    code = pyotp.TOTP(user.totp_secret).now()
    client.post("/accounts/security/totp/confirm/", {"code": code})
    user.refresh_from_db()
    assert user.totp_enabled
    client.post("/accounts/security/totp/disable/", {"password": PASSWORD})
    user.refresh_from_db()
    assert not user.totp_enabled and not user.totp_secret
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.totp_enabled", "accounts.totp_disabled"} <= actions


def test_totp_endpoints_refuse_get_and_anonymous(client_of: Any) -> None:
    from django.test import Client

    assert Client().post("/accounts/security/totp/start/").status_code == 302
    assert client_of(UserFactory()).get("/accounts/security/totp/start/").status_code == 405
