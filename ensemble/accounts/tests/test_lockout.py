"""Lock-out: failures are counted per (account, address) pair and per address, so that no one
can lock an account out for its owner; /admin/login/ goes through the same sign-in page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ensemble.accounts.forms import NewPasswordForm
from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.accounts.tests.test_sign_in import post_login
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
ATTACKER, OWNER = "203.0.113.66", "192.0.2.10"


def test_failures_from_another_address_do_not_lock_the_owner_out(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(10):
        post_login(Client(), user.email, "wrong", ip=ATTACKER)
    assert post_login(Client(), user.email, PASSWORD, ip=OWNER).status_code == 302
    locked = post_login(Client(), user.email, PASSWORD, ip=ATTACKER)
    assert locked.status_code == 400
    assert b"Too many failed sign-in attempts" in locked.content


def test_signing_in_clears_only_its_own_addresss_failures(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(3):
        post_login(Client(), user.email, "wrong", ip=ATTACKER)
    post_login(Client(), user.email, "wrong", ip=OWNER)
    assert post_login(Client(), user.email, PASSWORD, ip=OWNER).status_code == 302
    assert post_login(Client(), user.email, PASSWORD, ip=ATTACKER).status_code == 400


def test_a_password_reset_clears_the_lock_from_every_address(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(3):
        post_login(Client(), user.email, "wrong", ip=OWNER)
    assert post_login(Client(), user.email, PASSWORD, ip=OWNER).status_code == 400
    new = "a brand new passphrase 2026"
    form = NewPasswordForm(user, {"new_password1": new, "new_password2": new})
    assert form.is_valid()
    form.save()
    assert post_login(Client(), user.email, new, ip=OWNER).status_code == 302


def test_admin_login_is_the_sign_in_page() -> None:
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    assert Client().get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_admin_login_neither_bypasses_the_lock_out_nor_the_audit(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR=OWNER)
    for _ in range(8):
        client.post("/admin/login/", {"username": operator.email, "password": "wrong"})
        client.post("/accounts/login/?next=/admin/", {"email": operator.email, "password": "x"})
    client.post("/admin/login/", {"username": operator.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302  # not signed in
    refused = client.post(
        "/accounts/login/?next=/admin/", {"email": operator.email, "password": PASSWORD}
    )
    assert refused.status_code == 400 and b"Too many failed sign-in attempts" in refused.content
    failures = AuditEntry.objects.filter(action="accounts.sign_in_failed")
    reasons = sorted(entry.data["reason"] for entry in failures)
    assert reasons == ["locked out"] * 4 + ["wrong credentials"] * 5
    assert not AuditEntry.objects.filter(action="accounts.signed_in").exists()


def test_an_operator_reaches_the_admin_through_the_sign_in_page() -> None:
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    signed = client.post(
        "/accounts/login/?next=/admin/", {"email": operator.email, "password": PASSWORD}
    )
    assert signed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"
    assert AuditEntry.objects.filter(action="accounts.signed_in", actor=operator).exists()


def test_a_signed_in_person_who_is_not_an_operator_gets_403(client_of: Any) -> None:
    client = client_of(UserFactory())
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    assert mail.outbox == []
