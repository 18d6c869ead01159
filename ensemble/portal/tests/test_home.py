"""The portal home: signed-in only, tiles per app, French and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_agent_sees_tiles_but_not_administration(client_of: Any) -> None:
    response = client_of(UserFactory()).get("/")
    assert response.status_code == 200
    assert b"My account" in response.content
    assert b"Administration" not in response.content


def test_operator_sees_administration_tile(client_of: Any) -> None:
    response = client_of(UserFactory(is_staff=True)).get("/")
    assert b"Administration" in response.content


def test_switching_to_french_is_remembered_on_the_profile(client_of: Any) -> None:
    user = UserFactory(language="en")
    client = client_of(user)
    response = client.post("/accounts/language/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "fr"
    page = client.get("/").content.decode()
    assert 'lang="fr"' in page
    assert "Mon compte" in page and "Se déconnecter" in page


def test_unknown_language_is_a_clear_400() -> None:
    response = Client().post("/accounts/language/", {"language": "xx"})
    assert response.status_code == 400
    assert response.content == b"Unknown language."


def test_language_switch_never_redirects_elsewhere() -> None:
    response = Client().post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_error_pages_are_in_the_suites_look(client_of: Any) -> None:
    client = client_of(UserFactory(is_staff=True))
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and b"Page not found" in missing.content
    refused = client.get("/admin/core/auditentry/")  # staff, but without the permission
    assert refused.status_code == 403 and b"Access refused" in refused.content
