"""Teams on the API: who may see, create, change and manage members, and who may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import TeamRole
from ensemble.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused() -> None:
    assert Client().get("/api/v1/teams/").status_code == 401
    assert Client().post("/api/v1/teams/", {"name": "x"}).status_code == 401


def test_create_makes_the_creator_owner(client_of: Any) -> None:
    user = UserFactory()
    response = client_of(user).post("/api/v1/teams/", {"name": "Bureau des usagers"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["memberships"][0]["role"] == "owner"
    assert body["abilities"]["destroy"] is True


def test_external_user_cannot_create_a_team(client_of: Any) -> None:
    guest = UserFactory(is_external=True, organisation=None)
    response = client_of(guest).post("/api/v1/teams/", {"name": "x"})
    assert response.status_code == 403
    assert "organisation" in response.json()["detail"]


def test_duplicate_or_empty_name_is_a_clear_400(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    client.post("/api/v1/teams/", {"name": "Same"})
    response = client.post("/api/v1/teams/", {"name": "Same"})
    assert response.status_code == 400
    assert client.post("/api/v1/teams/", {"name": ""}).status_code == 400


@pytest.mark.parametrize(
    ("role", "may_rename", "may_manage", "may_delete"),
    [
        (None, False, False, False),  # a colleague of the organisation: reads only
        (TeamRole.MEMBER, False, False, False),
        (TeamRole.ADMINISTRATOR, True, True, False),
        (TeamRole.OWNER, True, True, True),
    ],
)
def test_roles(
    client_of: Any, role: str | None, may_rename: bool, may_manage: bool, may_delete: bool
) -> None:
    team = TeamFactory()
    MembershipFactory(team=team, role=TeamRole.OWNER)
    user = UserFactory(organisation=team.organisation)
    if role:
        MembershipFactory(team=team, user=user, role=role)
    newcomer = UserFactory(organisation=team.organisation)
    client = client_of(user)
    url = f"/api/v1/teams/{team.pk}/"
    assert client.get(url).status_code == 200
    rename = client.patch(url, {"name": "Renamed"}, content_type="application/json")
    assert rename.status_code == (200 if may_rename else 403)
    add = client.post(
        f"{url}members/",
        {"user": str(newcomer.pk), "role": "member"},
        content_type="application/json",
    )
    assert add.status_code == (200 if may_manage else 403)
    assert client.delete(url).status_code == (204 if may_delete else 403)


def test_outsider_does_not_see_the_team(client_of: Any) -> None:
    team = TeamFactory()
    outsider = UserFactory()
    client = client_of(outsider)
    assert client.get(f"/api/v1/teams/{team.pk}/").status_code == 404
    assert client.get("/api/v1/teams/").json()["count"] == 0


def test_last_owner_cannot_leave(client_of: Any) -> None:
    team = TeamFactory()
    owner = MembershipFactory(team=team, role=TeamRole.OWNER).user
    response = client_of(owner).post(
        f"/api/v1/teams/{team.pk}/members/remove/",
        {"user": str(owner.pk)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "at least one owner" in response.json()["detail"]


def test_list_makes_a_fixed_number_of_queries(
    client_of: Any, django_assert_max_num_queries: Any
) -> None:
    user = UserFactory()
    for _ in range(5):
        team = TeamFactory(organisation=user.organisation)
        MembershipFactory(team=team, role=TeamRole.OWNER)
    client = client_of(user)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/teams/")
    assert response.json()["count"] == 5
