"""A person sees their active sessions and can end any of them; nobody else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import User, UserSession
from ensemble.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sessions_are_listed_and_another_one_can_be_ended(client_of: Any) -> None:
    user = UserFactory()
    laptop, phone = client_of(user), client_of(user)
    listed = laptop.get("/api/v1/sessions/").json()["results"]
    assert len(listed) == 2
    assert sorted(s["current"] for s in listed) == [False, True]
    other = next(s for s in listed if not s["current"])
    assert laptop.delete(f"/api/v1/sessions/{other['id']}/").status_code == 204
    assert phone.get("/").status_code == 302  # the phone is signed out
    assert laptop.get("/").status_code == 200


def test_someone_elses_session_cannot_be_ended(client_of: Any) -> None:
    owner, intruder = UserFactory(), UserFactory()
    client_of(owner)
    target = UserSession.objects.get(user=owner)
    intruder_client = client_of(intruder)
    assert intruder_client.delete(f"/api/v1/sessions/{target.pk}/").status_code == 404
    assert (
        intruder_client.post(f"/accounts/security/sessions/{target.pk}/revoke/").status_code == 404
    )
    assert UserSession.objects.filter(pk=target.pk).exists()


def test_anonymous_cannot_list_sessions() -> None:
    assert Client().get("/api/v1/sessions/").status_code == 401


def test_deactivation_ends_every_session(client_of: Any) -> None:
    user = UserFactory()
    browser = client_of(user)
    User.objects.filter(pk=user.pk).update()  # no-op: bulk updates bypass signals
    user.is_active = False
    user.save()
    assert browser.get("/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_security_page_lists_sessions(client_of: Any) -> None:
    user = UserFactory()
    response = client_of(user).get("/accounts/security/")
    assert response.status_code == 200
    assert b"this browser" in response.content
    assert b"<title>Security \xe2\x80\x93 Ensemble</title>" in response.content
