"""SCIM 2.0 provisioning: an IT department creates, updates and deactivates accounts and teams.

Responses are checked against the shapes RFC 7643/7644 require (schemas, ListResponse, Error).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts import actions
from ensemble.accounts.models import Team, User, UserSession
from ensemble.accounts.tests.factories import TeamFactory, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    def __init__(self, token: str) -> None:
        self.client, self.auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/scim/v2/{path}", **self.auth)

    def send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            f"/scim/v2/{path}", json.dumps(body), content_type=SCIM, **self.auth
        )


def token_for(user: User, scopes: list[str]) -> str:
    _token, value = actions.create_api_token(None, user, "idm", scopes, 30)  # type: ignore[arg-type]
    return value


@pytest.fixture
def operator() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def scim(operator: User) -> Scim:
    return Scim(token_for(operator, ["scim"]))


def assert_user_resource(body: dict[str, Any]) -> None:
    assert body["schemas"] == [USER]
    assert {"id", "userName", "name", "emails", "active", "meta"} <= set(body)
    assert body["meta"]["resourceType"] == "User" and body["meta"]["location"].endswith(body["id"])


def assert_error(response: Any, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type


NEW_USER = {
    "schemas": [USER],
    "userName": "Jeanne.Roux@Lyon.fr",
    "externalId": "ad-4521",
    "name": {"givenName": "Jeanne", "familyName": "Roux"},
    "emails": [{"value": "jeanne.roux@lyon.fr", "primary": True}],
    "active": True,
}


def test_create_read_update_and_deactivate_a_user(scim: Scim, operator: User) -> None:
    created = scim.send("post", "Users", NEW_USER)
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith(SCIM)
    body = created.json()
    assert_user_resource(body)
    assert body["userName"] == "jeanne.roux@lyon.fr" and body["externalId"] == "ad-4521"
    user = User.objects.get(pk=body["id"])
    assert user.full_name == "Jeanne Roux" and user.organisation == operator.organisation
    assert not user.has_usable_password()
    assert_user_resource(scim.get(f"Users/{user.pk}").json())

    patched = scim.send(
        "patch",
        f"Users/{user.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "name.familyName", "value": "Roux-Martin"}],
        },
    )
    assert patched.status_code == 200 and patched.json()["name"]["familyName"] == "Roux-Martin"

    session_user = User.objects.get(pk=user.pk)
    UserSession.objects.create(session_key="k" * 32, user=session_user, ip="127.0.0.1")
    off = scim.send(
        "patch",
        f"Users/{user.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    assert off.json()["active"] is False
    assert not UserSession.objects.filter(user=session_user).exists()
    assert scim.send("delete", f"Users/{user.pk}", None).status_code == 204
    assert User.objects.filter(pk=user.pk, is_active=False).exists()  # kept, deactivated
    actions_seen = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"scim.user_created", "scim.user_patched", "accounts.deactivated"} <= actions_seen


def test_put_replaces_the_user(scim: Scim) -> None:
    user_id = scim.send("post", "Users", NEW_USER).json()["id"]
    replaced = scim.send(
        "put",
        f"Users/{user_id}",
        {
            "schemas": [USER],
            "userName": "jeanne.martin@lyon.fr",
            "name": {"givenName": "Jeanne", "familyName": "Martin"},
            "active": True,
        },
    )
    assert replaced.status_code == 200
    assert replaced.json()["userName"] == "jeanne.martin@lyon.fr"


def test_list_filter_and_paging(scim: Scim, operator: User) -> None:
    for number in range(5):
        UserFactory(
            email=f"scim{number}@lyon.fr",
            scim_external_id=f"ext-{number}",
            organisation=operator.organisation,
        )
    page = scim.get("Users?startIndex=2&count=2").json()
    assert page["schemas"] == [LIST]
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (6, 2, 2)
    assert all(item["schemas"] == [USER] for item in page["Resources"])
    found = scim.get('Users?filter=userName eq "SCIM3@lyon.fr"').json()
    assert [u["userName"] for u in found["Resources"]] == ["scim3@lyon.fr"]
    by_external = scim.get('Users?filter=externalId eq "ext-1" and active eq true').json()
    assert [u["userName"] for u in by_external["Resources"]] == ["scim1@lyon.fr"]
    assert scim.get('Users?filter=userName sw "scim"').json()["totalResults"] == 5


@pytest.mark.parametrize(
    ("query", "scim_type"),
    [
        ('filter=password eq "x"', "invalidFilter"),
        ('filter=userName eq "a" or userName eq "b"', "invalidFilter"),
        ('filter=userName gt "a"', "invalidFilter"),
        ('filter=userName eq "unclosed', "invalidFilter"),
        ("startIndex=abc", "invalidValue"),
    ],
)
def test_bad_queries_get_scim_errors(scim: Scim, query: str, scim_type: str) -> None:
    assert_error(scim.get(f"Users?{query}"), 400, scim_type)


def test_bad_bodies_get_scim_errors(scim: Scim) -> None:
    assert_error(scim.send("post", "Users", {"schemas": [USER]}), 400, "invalidValue")
    assert_error(scim.send("post", "Users", {**NEW_USER, "userName": "not an email"}), 400)
    scim.send("post", "Users", NEW_USER)
    assert_error(scim.send("post", "Users", NEW_USER), 409, "uniqueness")
    user_id = User.objects.get(email="jeanne.roux@lyon.fr").pk
    assert_error(scim.send("patch", f"Users/{user_id}", {"Operations": []}), 400, "invalidSyntax")
    assert_error(
        scim.send(
            "patch",
            f"Users/{user_id}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "password", "value": "x"}],
            },
        ),
        400,
        "invalidPath",
    )
    assert_error(
        scim.send(
            "patch",
            f"Users/{user_id}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": "yes"}],
            },
        ),
        400,
        "invalidValue",
    )
    assert_error(scim.get("Users/not-a-uuid"), 404)
    response = scim.client.post("/scim/v2/Users", "{nope", content_type=SCIM, **scim.auth)
    assert_error(response, 400, "invalidSyntax")


def test_groups_are_teams_with_members(scim: Scim, operator: User) -> None:
    alice = UserFactory(organisation=operator.organisation)
    bob = UserFactory(organisation=operator.organisation)
    created = scim.send(
        "post",
        "Groups",
        {
            "schemas": [GROUP],
            "displayName": "Service urbanisme",
            "members": [{"value": str(alice.pk)}],
        },
    )
    assert created.status_code == 201, created.content
    group = created.json()
    assert group["schemas"] == [GROUP] and group["meta"]["resourceType"] == "Group"
    assert [m["value"] for m in group["members"]] == [str(alice.pk)]
    team = Team.objects.get(pk=group["id"])
    assert team.organisation == operator.organisation

    added = scim.send(
        "patch",
        f"Groups/{team.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": str(bob.pk)}]}],
        },
    )
    assert sorted(m["value"] for m in added.json()["members"]) == sorted(
        [str(alice.pk), str(bob.pk)]
    )
    removed = scim.send(
        "patch",
        f"Groups/{team.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{alice.pk}"]'}],
        },
    )
    assert [m["value"] for m in removed.json()["members"]] == [str(bob.pk)]
    renamed = scim.send(
        "patch",
        f"Groups/{team.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Urbanisme"}],
        },
    )
    assert renamed.json()["displayName"] == "Urbanisme"
    listed = scim.get('Groups?filter=displayName eq "urbanisme"').json()
    assert listed["totalResults"] == 1
    assert scim.send("delete", f"Groups/{team.pk}", None).status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_groups_refuse_strangers_and_duplicates(scim: Scim, operator: User) -> None:
    stranger = UserFactory()
    assert_error(
        scim.send(
            "post",
            "Groups",
            {
                "schemas": [GROUP],
                "displayName": "X",
                "members": [{"value": str(stranger.pk)}],
            },
        ),
        400,
        "invalidValue",
    )
    TeamFactory(organisation=operator.organisation, name="Taken")
    assert_error(scim.send("post", "Groups", {"schemas": [GROUP], "displayName": "Taken"}), 409)
    other_team = TeamFactory()
    assert_error(scim.get(f"Groups/{other_team.pk}"), 404)  # another organisation's team


def test_who_may_use_scim(operator: User) -> None:
    assert_error(Client().get("/scim/v2/Users"), 401)
    agent = UserFactory()
    assert_error(Scim(token_for(agent, ["read", "write"])).get("Users"), 403)
    assert_error(Scim(token_for(operator, ["read", "write"])).get("Users"), 403)
    session = Client()
    session.force_login(operator)
    assert_error(session.get("/scim/v2/Users"), 401)  # a browser session is not enough
    assert Scim(token_for(operator, ["scim"])).get("Users").status_code == 200


def test_discovery_documents(scim: Scim) -> None:
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = scim.get("ResourceTypes").json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
