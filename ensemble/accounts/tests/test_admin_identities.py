"""Operators link and unlink identities in the administration: scoped, checked and audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from ensemble.accounts.models import ExternalIdentity, User
from ensemble.accounts.tests.conftest import OpenIDProvider
from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/externalidentity/add/"


@pytest.fixture
def agent(providers: Callable[..., Any]) -> User:
    providers("proconnect")
    return UserFactory(password=None)


def operator_of(organisation: Any, *, perms: bool = True) -> Client:
    operator = UserFactory(is_staff=True, organisation=organisation)
    if perms:
        codenames = [f"{verb}_externalidentity" for verb in ("view", "add", "delete")]
        operator.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(operator)
    return client


def superuser() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.fr"))
    return client


def add(client: Client, user: User, subject: str = "camille") -> Any:
    return client.post(ADD, {"user": str(user.pk), "provider": "proconnect", "subject": subject})


@pytest.mark.parametrize("who", ["superuser", "operator of the organisation"])
def test_an_operator_links_an_account(
    agent: User, openid_provider: OpenIDProvider, who: str
) -> None:
    client = superuser() if who == "superuser" else operator_of(agent.organisation)
    response = add(client, agent)
    assert response.status_code == 302, response.content[:2000]
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider, identity.subject) == (agent, "proconnect", "camille")
    assert identity.issuer == openid_provider.issuer
    entry = AuditEntry.objects.get(action="accounts.identity_linked")
    assert entry.target_id == str(agent.pk) and entry.data["by"] == "operator"


def test_an_operator_of_another_organisation_cannot_pick_the_account(agent: User) -> None:
    response = add(operator_of(OrganisationFactory()), agent)
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not ExternalIdentity.objects.exists()


def test_an_operator_without_the_permission_is_refused(agent: User) -> None:
    assert add(operator_of(agent.organisation, perms=False), agent).status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_an_identity_already_linked_is_a_form_error(agent: User) -> None:
    client = superuser()
    assert add(client, agent).status_code == 302
    response = add(client, UserFactory())
    assert response.status_code == 200
    assert b"This identity is already linked to an account." in response.content
    assert ExternalIdentity.objects.count() == 1


def test_unlinking_one_or_several_is_audited(agent: User) -> None:
    client = operator_of(agent.organisation)
    add(client, agent, "camille")
    add(client, agent, "camille-2")
    add(client, agent, "camille-3")
    first, *others = ExternalIdentity.objects.order_by("subject")
    page = f"/admin/accounts/externalidentity/{first.pk}/delete/"
    assert client.post(page, {"post": "yes"}).status_code == 302
    selected = {"action": "delete_selected", "post": "yes"}
    response = client.post(
        "/admin/accounts/externalidentity/",
        {**selected, "_selected_action": [str(identity.pk) for identity in others]},
    )
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()
    unlinked = AuditEntry.objects.filter(action="accounts.identity_unlinked").order_by("position")
    assert sorted(entry.data["subject"] for entry in unlinked) == [
        "camille",
        "camille-2",
        "camille-3",
    ]


def test_a_link_is_not_edited_in_place(agent: User) -> None:
    client = superuser()
    add(client, agent)
    identity = ExternalIdentity.objects.get()
    page = f"/admin/accounts/externalidentity/{identity.pk}/change/"
    assert client.get(page).status_code == 200
    client.post(page, {"user": str(agent.pk), "provider": "proconnect", "subject": "other"})
    identity.refresh_from_db()
    assert identity.subject == "camille"
