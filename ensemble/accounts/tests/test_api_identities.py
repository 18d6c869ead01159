"""Operators link an account to an identity (provider + subject) on the API, or unlink it:
who may and who may not, the audit, and the sign-in that follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import ExternalIdentity, User
from ensemble.accounts.tests.conftest import ACCOUNTS, Browser, OpenIDProvider
from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/identities/"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent(providers: Callable[..., Any]) -> User:
    """A provisioned agent (no password, no identity yet), with proconnect configured."""
    providers("proconnect")
    providers("keycloak")
    return UserFactory(email="c.martin@grandlyon.fr", password=None)


def link(client: Client, user: User, subject: str = "camille", provider: str = "proconnect") -> Any:
    body = {"user": str(user.pk), "provider": provider, "subject": subject}
    return client.post(URL, body, content_type="application/json")


def audited(action: str) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(action=action).order_by("position")
    return [{"actor": e.actor_id, "target": e.target_id, **e.data} for e in entries]


def test_anonymous_is_refused(agent: User) -> None:
    assert Client().get(URL).status_code == 401
    assert link(Client(), agent).status_code == 401
    assert not ExternalIdentity.objects.exists()


def test_a_member_is_refused(agent: User) -> None:
    colleague = client_for(UserFactory(organisation=agent.organisation))
    assert colleague.get(URL).status_code == 403
    assert link(colleague, agent).status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_an_operator_of_another_organisation_does_not_find_the_account(agent: User) -> None:
    elsewhere = client_for(UserFactory(is_staff=True, organisation=OrganisationFactory()))
    assert link(elsewhere, agent).status_code == 404
    assert not ExternalIdentity.objects.exists()
    identity = link(client_for(User.objects.create_superuser("root@example.fr")), agent).json()
    assert elsewhere.get(URL).json()["results"] == []
    assert elsewhere.delete(f"{URL}{identity['id']}/").status_code == 404
    assert ExternalIdentity.objects.count() == 1


def test_an_operator_of_the_organisation_links_and_unlinks(
    agent: User, openid_provider: OpenIDProvider
) -> None:
    operator = UserFactory(is_staff=True, organisation=agent.organisation)
    client = client_for(operator)
    response = link(client, agent)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["user"], body["provider"], body["subject"]) == (
        str(agent.pk),
        "proconnect",
        "camille",
    )
    assert body["issuer"] == openid_provider.issuer
    listed = client.get(URL, {"user": str(agent.pk)}).json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert client.delete(f"{URL}{body['id']}/").status_code == 204
    assert not ExternalIdentity.objects.exists()
    who = {"actor": operator.pk, "target": str(agent.pk), "subject": "camille"}
    assert audited("accounts.identity_linked") == [
        {**who, "provider": "proconnect", "by": "operator"}
    ]
    assert audited("accounts.identity_unlinked") == [{**who, "provider": "proconnect"}]


def test_an_operator_may_not_link_another_operators_account(agent: User) -> None:
    operator = UserFactory(is_staff=True, organisation=agent.organisation)
    other = UserFactory(is_staff=True, organisation=agent.organisation)
    assert link(client_for(operator), other).status_code == 404
    assert not ExternalIdentity.objects.exists()


def test_a_superuser_links_any_account(agent: User) -> None:
    root = User.objects.create_superuser("root@example.fr")
    operator = UserFactory(is_staff=True, organisation=OrganisationFactory())
    client = client_for(root)
    assert link(client, agent).status_code == 201
    assert link(client, operator, subject="ana").status_code == 201
    assert ExternalIdentity.objects.count() == 2


def test_bad_links_are_refused_with_a_clear_answer(agent: User) -> None:
    client = client_for(UserFactory(is_staff=True, organisation=agent.organisation))
    unknown = link(client, agent, provider="nowhere")
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "Unknown identity provider."
    assert link(client, agent, subject="   ").status_code == 400
    assert (
        client.post(URL, {"user": "not-a-uuid"}, content_type="application/json").status_code == 400
    )
    assert link(client, agent).status_code == 201
    taken = link(client, UserFactory(organisation=agent.organisation))
    assert taken.status_code == 409
    assert taken.json()["detail"] == "This identity is already linked to an account."
    assert ExternalIdentity.objects.count() == 1


def test_a_provisioned_agent_signs_in_with_the_linked_identity(
    agent: User, browser: Browser
) -> None:
    client = client_for(UserFactory(is_staff=True, organisation=agent.organisation))
    assert link(client, agent).status_code == 201
    camille = ACCOUNTS["camille"]
    response = browser.sign_in("proconnect", "camille", camille["password"])
    assert response.status_code == 302
    assert browser.client.get("/accounts/profile/").wsgi_request.user == agent
    assert User.objects.count() == 2  # the agent and the operator: no one new


def test_an_agent_whose_provider_changed_keeps_the_account(agent: User, browser: Browser) -> None:
    client = client_for(UserFactory(is_staff=True, organisation=agent.organisation))
    old = link(client, agent, provider="keycloak", subject="c.martin-old").json()
    assert client.delete(f"{URL}{old['id']}/").status_code == 204
    assert link(client, agent, provider="proconnect").status_code == 201
    assert (
        browser.sign_in("proconnect", "camille", ACCOUNTS["camille"]["password"]).status_code == 302
    )
    assert browser.client.get("/accounts/profile/").wsgi_request.user == agent
