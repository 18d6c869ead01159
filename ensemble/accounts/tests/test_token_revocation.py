"""API tokens end when the password is reset or changed, or the account deactivated, and do
not come back when it is reactivated."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts import actions
from ensemble.accounts.forms import NewPasswordForm
from ensemble.accounts.models import ApiToken, User
from ensemble.accounts.tests.factories import UserFactory
from ensemble.accounts.tests.test_scim import Scim, token_for
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase 2026"


def works(value: str) -> int:
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {value}").status_code


def token(user: User) -> str:
    _token, value = actions.create_api_token(None, user, "script", ["read"], 30)  # type: ignore[arg-type]
    return value


def assert_revoked(user: User, value: str, reason: str) -> None:
    assert works(value) == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="accounts.tokens_revoked", target_id=str(user.pk))
    assert entry.data["reason"] == reason


def test_a_password_reset_revokes_the_tokens() -> None:
    user = UserFactory()
    value = token(user)
    assert works(value) == 200
    form = NewPasswordForm(user, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid()
    form.save()
    assert_revoked(user, value, "password_changed")


def test_a_password_change_in_the_admin_revokes_the_tokens(client_of: Any) -> None:
    admin = client_of(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    value = token(user)
    answer = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert answer.status_code == 302
    assert_revoked(user, value, "password_changed")


def test_a_rehash_at_sign_in_is_not_a_change(client_of: Any) -> None:
    user = UserFactory()
    value = token(user)
    user.set_password("x")  # as check_password's hash upgrade: the raw password is forgotten
    user._password = None  # type: ignore[attr-defined]
    user.save(update_fields=["password"])
    assert works(value) == 200


@pytest.mark.parametrize("how", ["admin", "scim"])
def test_deactivation_revokes_and_reactivation_brings_none_back(client_of: Any, how: str) -> None:
    user = UserFactory()
    value = token(user)
    if how == "admin":
        admin = client_of(UserFactory(is_staff=True, is_superuser=True))

        def switch(action: str) -> None:
            changelist = "/admin/accounts/user/"
            admin.post(changelist, {"action": action, "_selected_action": [str(user.pk)]})
    else:
        operator = UserFactory(is_staff=True, organisation=user.organisation)
        scim = Scim(token_for(operator, ["scim"]))

        def switch(action: str) -> None:
            body = {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "replace", "path": "active", "value": action == "reactivate"}
                ],
            }
            assert scim.send("patch", f"Users/{user.pk}", body).status_code == 200

    switch("deactivate")
    assert_revoked(user, value, "deactivated")
    switch("reactivate")
    user.refresh_from_db()
    assert user.is_active
    assert works(value) == 401
    assert works(token(user)) == 200  # a new token works
