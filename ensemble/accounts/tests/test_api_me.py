"""The profile on the API and the organisations list: who may and who may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401() -> None:
    assert Client().get("/api/v1/me/").status_code == 401
    assert Client().get("/api/v1/organisations/").status_code == 401


def test_me_shows_and_updates_the_profile(client_of: Any) -> None:
    user = UserFactory(full_name="Ana Lopez")
    client = client_of(user)
    body = client.get("/api/v1/me/").json()
    assert body["email"] == user.email and body["organisation"] == user.organisation.name
    response = client.patch(
        "/api/v1/me/", {"language": "fr", "email": "other@x.fr"}, content_type="application/json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.language == "fr"
    assert user.email != "other@x.fr"  # read-only, silently kept
    assert AuditEntry.objects.filter(action="accounts.profile_updated").exists()


def test_me_refuses_an_unknown_language(client_of: Any) -> None:
    response = client_of(UserFactory()).patch(
        "/api/v1/me/", {"language": "klingon"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "language" in response.json()


def test_agent_sees_only_their_organisation(client_of: Any) -> None:
    user = UserFactory()
    OrganisationFactory()
    body = client_of(user).get("/api/v1/organisations/").json()
    assert [o["id"] for o in body["results"]] == [str(user.organisation.pk)]


def test_an_operator_sees_their_organisation_and_a_superuser_every_one(client_of: Any) -> None:
    operator = UserFactory(is_staff=True)
    other = OrganisationFactory()
    mine = client_of(operator).get("/api/v1/organisations/").json()
    assert [o["id"] for o in mine["results"]] == [str(operator.organisation.pk)]
    assert client_of(operator).get(f"/api/v1/organisations/{other.pk}/").status_code == 404
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert client_of(superuser).get("/api/v1/organisations/").json()["count"] == 3


def test_profile_pages_need_sign_in() -> None:
    for url in ("/accounts/profile/", "/accounts/security/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_profile_page_saves_name_and_language(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    response = client.post("/accounts/profile/", {"full_name": "Jo Martin", "language": "fr"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Jo Martin", "fr")
    bad = client.post("/accounts/profile/", {"full_name": "x" * 300, "language": "fr"})
    assert bad.status_code == 400
