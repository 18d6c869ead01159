"""SCIM is scoped to the operator's organisation: an operator (is_staff) provisions only the
people and teams of its own organisation and never changes a superuser; a superuser provisions
everyone."""

from __future__ import annotations

import pytest

from ensemble.accounts.models import Team, User
from ensemble.accounts.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from ensemble.accounts.tests.test_scim import NEW_USER, PATCH, Scim, assert_error, token_for

pytestmark = pytest.mark.django_db


def rename(scim: Scim, user: User, email: str) -> object:
    return scim.send(
        "patch",
        f"Users/{user.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "userName", "value": email}]},
    )


@pytest.fixture
def operator() -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def scim(operator: User) -> Scim:
    return Scim(token_for(operator, ["scim"]))


def test_an_operator_lists_only_its_organisation(scim: Scim, operator: User) -> None:
    colleague = UserFactory(organisation=operator.organisation)
    UserFactory(), UserFactory(is_staff=True), UserFactory(organisation=None)
    listed = scim.get("Users").json()
    assert listed["totalResults"] == 2
    assert {u["id"] for u in listed["Resources"]} == {str(operator.pk), str(colleague.pk)}
    assert scim.get('Users?filter=userName sw "agent"').json()["totalResults"] == 2


def test_another_organisations_accounts_are_not_found(scim: Scim) -> None:
    stranger = UserFactory(is_staff=True, full_name="Paul Durand")
    assert_error(scim.get(f"Users/{stranger.pk}"), 404)
    assert_error(rename(scim, stranger, "mine@evil.example"), 404)
    body = {**NEW_USER, "userName": "mine@evil.example", "emails": []}
    assert_error(scim.send("put", f"Users/{stranger.pk}", body), 404)
    assert_error(scim.send("delete", f"Users/{stranger.pk}", None), 404)
    before = stranger.email
    stranger.refresh_from_db()
    assert (stranger.email, stranger.full_name, stranger.is_active) == (before, "Paul Durand", True)


def test_an_operator_never_changes_a_superuser(scim: Scim, operator: User) -> None:
    chief = UserFactory(is_staff=True, is_superuser=True, organisation=operator.organisation)
    assert scim.get(f"Users/{chief.pk}").status_code == 200  # colleagues are seen
    assert_error(rename(scim, chief, "mine@evil.example"), 403)
    assert_error(scim.send("delete", f"Users/{chief.pk}", None), 403)
    chief.refresh_from_db()
    assert chief.email != "mine@evil.example" and chief.is_active


def test_an_operator_changes_its_own_organisations_accounts(scim: Scim, operator: User) -> None:
    colleague = UserFactory(organisation=operator.organisation)
    assert rename(scim, colleague, "new.address@lyon.fr").status_code == 200
    colleague.refresh_from_db()
    assert colleague.email == "new.address@lyon.fr"


def test_created_accounts_belong_to_the_operators_organisation(scim: Scim, operator: User) -> None:
    created = scim.send("post", "Users", NEW_USER)
    assert created.status_code == 201
    assert User.objects.get(pk=created.json()["id"]).organisation_id == operator.organisation_id


def test_an_operator_without_organisation_provisions_nothing() -> None:
    loner = UserFactory(is_staff=True, organisation=None)
    scim = Scim(token_for(loner, ["scim"]))
    UserFactory(organisation=None)
    assert scim.get("Users").json()["totalResults"] == 0
    assert_error(scim.send("post", "Users", NEW_USER), 400, "invalidValue")


def test_a_superuser_provisions_every_organisation() -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    scim = Scim(token_for(root, ["scim"]))
    elsewhere = UserFactory(organisation=OrganisationFactory())
    team = TeamFactory()
    assert scim.get("Users").json()["totalResults"] == 2
    assert rename(scim, elsewhere, "moved@lyon.fr").status_code == 200
    assert scim.get(f"Groups/{team.pk}").status_code == 200
    assert scim.get("Groups").json()["totalResults"] == Team.objects.count()
