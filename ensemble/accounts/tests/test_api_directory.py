"""The directory: colleagues and teams of one's organisation; never for external users."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import (
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_finds_colleagues_and_teams_of_my_organisation_only(client_of: Any) -> None:
    mine = OrganisationFactory()
    me = UserFactory(organisation=mine, full_name="Camille Noël")  # no "mart" in it
    UserFactory(organisation=mine, full_name="Martine Dupont", email="m.dupont@lyon.fr")
    UserFactory(organisation=mine, full_name="Martin Gone", is_active=False)
    UserFactory(organisation=mine, full_name="Martine Guest", is_external=True)
    UserFactory(full_name="Martine Elsewhere")  # another organisation
    TeamFactory(organisation=mine, name="Équipe Martinique")
    TeamFactory(name="Martin team elsewhere")
    found = client_of(me).get("/api/v1/directory/?q=mart").json()
    assert [(e["kind"], e["name"]) for e in found] == [
        ("person", "Martine Dupont"),
        ("team", "Équipe Martinique"),
    ]
    by_mail = client_of(me).get("/api/v1/directory/?q=dupont@&kind=people").json()
    assert [e["email"] for e in by_mail] == ["m.dupont@lyon.fr"]


def test_external_users_cannot_browse(client_of: Any) -> None:
    guest = UserFactory(is_external=True)
    response = client_of(guest).get("/api/v1/directory/?q=ab")
    assert response.status_code == 403
    assert "External users" in response.json()["detail"]


def test_bad_queries_are_clear(client_of: Any) -> None:
    client = client_of(UserFactory())
    assert client.get("/api/v1/directory/?q=a").json() == {
        "q": "Type between 2 and 100 characters."
    }
    assert client.get("/api/v1/directory/?q=abc&kind=robots").status_code == 400
    assert Client().get("/api/v1/directory/?q=abc").status_code == 401


def test_a_fixed_number_of_queries(client_of: Any, django_assert_max_num_queries: Any) -> None:
    me = UserFactory()
    for number in range(15):
        UserFactory(organisation=me.organisation, full_name=f"Inspecteur {number}")
    client = client_of(me)
    with django_assert_max_num_queries(9):  # with the recent contacts
        assert len(client.get("/api/v1/directory/?q=inspect").json()) == 15
