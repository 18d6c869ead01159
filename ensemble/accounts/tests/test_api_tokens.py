"""Personal API tokens: shown once, stored hashed, scoped, expiring, revocable by their owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ensemble.accounts.models import ApiToken
from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def create(client: Client, **fields: Any) -> Any:
    body = {"name": "script", "scopes": ["read"], **fields}
    return client.post("/api/v1/tokens/", body, content_type="application/json")


def bearer(value: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def test_a_token_is_shown_once_and_stored_hashed(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    response = create(client, expires_in_days=30)
    assert response.status_code == 201, response.content
    value = response.json()["token"]
    assert value.startswith("ens_")
    stored = ApiToken.objects.get()
    assert value.split("_", 2)[2] not in stored.digest and stored.digest != value
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert "token" not in listed[0] and listed[0]["prefix"] == stored.prefix
    me = Client().get("/api/v1/me/", **bearer(value))
    assert me.status_code == 200 and me.json()["email"] == user.email
    assert AuditEntry.objects.filter(action="accounts.token_created", actor=user).exists()


def test_read_scope_cannot_write(client_of: Any) -> None:
    value = create(client_of(UserFactory())).json()["token"]
    response = Client().patch(
        "/api/v1/me/", {"full_name": "X"}, content_type="application/json", **bearer(value)
    )
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_write_scope_can_write(client_of: Any) -> None:
    value = create(client_of(UserFactory()), scopes=["read", "write"]).json()["token"]
    response = Client().patch(
        "/api/v1/me/", {"full_name": "Scripted"}, content_type="application/json", **bearer(value)
    )
    assert response.status_code == 200 and response.json()["full_name"] == "Scripted"


def test_revoked_expired_unknown_and_malformed_tokens_are_explained(
    client_of: Any, time_machine: Any
) -> None:
    client = client_of(UserFactory())
    revoked = create(client).json()
    client.delete(f"/api/v1/tokens/{revoked['id']}/")
    answer = Client().get("/api/v1/me/", **bearer(revoked["token"]))
    assert answer.status_code == 401 and answer.json()["detail"] == "This API token was revoked."
    value = create(client, expires_in_days=1).json()["token"]
    time_machine.move_to(timezone.now() + timedelta(days=2))
    expired = Client().get("/api/v1/me/", **bearer(value))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    unknown = Client().get("/api/v1/me/", **bearer(value[:-4] + "abcd"))
    assert unknown.status_code == 401 and unknown.json()["detail"] == "Unknown API token."
    assert Client().get("/api/v1/me/", **bearer("ens_nope")).status_code == 401


def test_token_of_a_deactivated_account_stops_working(client_of: Any) -> None:
    user = UserFactory()
    value = create(client_of(user)).json()["token"]
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/me/", **bearer(value)).status_code == 401


def test_tokens_are_managed_only_by_their_owner_from_a_browser(client_of: Any) -> None:
    owner, other = UserFactory(), UserFactory()
    created = create(client_of(owner), scopes=["read", "write"]).json()
    other_client = client_of(other)
    assert other_client.get("/api/v1/tokens/").json()["count"] == 0
    assert other_client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 404
    with_token = Client().post(
        "/api/v1/tokens/",
        {"name": "x", "scopes": ["read"]},
        content_type="application/json",
        **bearer(created["token"]),
    )
    assert with_token.status_code == 403
    assert Client().get("/api/v1/tokens/").status_code == 401


def test_bad_requests_are_clear(client_of: Any) -> None:
    client = client_of(UserFactory())
    assert create(client, scopes=[]).status_code == 400
    assert create(client, scopes=["admin"]).status_code == 400
    assert create(client, expires_in_days=1000).status_code == 400
    scim = create(client, scopes=["scim"])
    assert scim.status_code == 400 and "operators" in str(scim.json())
    assert create(client_of(UserFactory(is_staff=True)), scopes=["scim"]).status_code == 201


def test_security_page_creates_shows_once_and_revokes(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    response = client.post(
        "/accounts/security/tokens/",
        {"name": "Export nightly", "scopes": ["read"], "expires_in_days": "30"},
    )
    assert response.status_code == 302
    page = client.get("/accounts/security/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert "Export nightly" in page and "data-new-token" in page
    assert "data-new-token" not in client.get("/accounts/security/").content.decode()
    client.post(f"/accounts/security/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    bad = client.post("/accounts/security/tokens/", {"name": "", "scopes": ["scim"]}, follow=True)
    assert b"This field is required." in bad.content
    assert ApiToken.objects.filter(user=user).count() == 1
    other = client_of(UserFactory())
    assert other.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404
