"""External users: invited by e-mail to one team, signing in with an e-mailed code, and seeing
only what they were invited to (checked endpoint by endpoint)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ensemble.accounts.models import Invitation, SignInCode, TeamMembership, TeamRole, User
from ensemble.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory
from ensemble.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


CAPTURE: Any = None


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks: Any) -> None:
    """Invitation e-mails leave on commit: run those callbacks in these tests."""
    global CAPTURE
    CAPTURE = django_capture_on_commit_callbacks


def invite(client: Client, team: Any, email: str, role: str = "member") -> Any:
    with CAPTURE(execute=True):
        return client.post(
            f"/api/v1/teams/{team.pk}/invitations/",
            {"email": email, "role": role},
            content_type="application/json",
        )


def last_link() -> str:
    found = re.search(r"http://\S+/accounts/invitations/\S+/", mail.outbox[-1].body)
    assert found is not None
    return found.group(0).split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def last_code() -> str:
    found = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


@pytest.fixture
def team_admin() -> tuple[Any, User]:
    team = TeamFactory(name="Projet piscine")
    admin = MembershipFactory(team=team, role=TeamRole.OWNER).user
    admin.organisation = team.organisation
    admin.save()
    return team, admin


def test_invite_accept_and_sign_in_with_a_code(team_admin: Any, client_of: Any) -> None:
    team, admin = team_admin
    response = invite(client_of(admin), team, "Consultant@Bureau-Etudes.fr", role="administrator")
    assert response.status_code == 201
    assert mail.outbox[-1].to == ["consultant@bureau-etudes.fr"]
    assert "Projet piscine" in mail.outbox[-1].body
    guest = Client()
    page = guest.get(last_link())
    assert page.status_code == 200 and b"Projet piscine" in page.content
    accepted = guest.post(last_link())
    assert accepted.status_code == 302 and accepted["Location"] == "/accounts/code/verify/"
    user = User.objects.get(email="consultant@bureau-etudes.fr")
    assert user.is_external and not user.has_usable_password() and user.organisation is None
    membership = TeamMembership.objects.get(team=team, user=user)
    assert membership.role == TeamRole.MEMBER  # never an administrator
    wrong = guest.post("/accounts/code/verify/", {"code": "000000"})
    assert wrong.status_code == 400 and b"This code is not valid" in wrong.content
    signed_in = guest.post("/accounts/code/verify/", {"code": last_code()})
    assert signed_in.status_code == 302
    assert guest.get("/").status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.signed_in", actor=user, data__method="email_code"
    ).exists()


def test_an_invitation_works_once_and_expires(
    team_admin: Any, client_of: Any, time_machine: Any
) -> None:
    team, admin = team_admin
    invite(client_of(admin), team, "a@x.fr")
    link = last_link()
    Client().post(link)
    again = Client().get(link)
    assert again.status_code == 404 and b"already used" in again.content
    invite(client_of(admin), team, "b@x.fr")
    Invitation.objects.filter(email="b@x.fr").update(expires_at="2000-01-01T00:00:00Z")
    assert b"has expired" in Client().get(last_link()).content


def test_existing_accounts_join_at_once(team_admin: Any, client_of: Any) -> None:
    team, admin = team_admin
    colleague = UserFactory(organisation=team.organisation)
    response = invite(client_of(admin), team, colleague.email)
    assert response.status_code == 200
    assert TeamMembership.objects.filter(team=team, user=colleague).exists()
    assert not Invitation.objects.exists()


def test_only_team_managers_invite(team_admin: Any, client_of: Any) -> None:
    team, _admin = team_admin
    member = MembershipFactory(team=team, role=TeamRole.MEMBER).user
    assert invite(client_of(member), team, "x@y.fr").status_code == 403
    assert invite(client_of(UserFactory()), team, "x@y.fr").status_code == 404
    assert invite(Client(), team, "x@y.fr").status_code == 401
    bad = invite(client_of(_admin), team, "not-an-email")
    assert bad.status_code == 400


def test_codes_are_limited(team_admin: Any, client_of: Any) -> None:
    team, admin = team_admin
    invite(client_of(admin), team, "g@x.fr")
    Client().post(last_link())
    guest = Client()
    guest.post("/accounts/code/", {"email": "g@x.fr"})
    code = last_code()
    for _ in range(5):
        guest.post("/accounts/code/verify/", {"code": "111111" if code != "111111" else "222222"})
    response = guest.post("/accounts/code/verify/", {"code": code})
    assert response.status_code == 400  # the code is spent after 5 wrong tries
    assert SignInCode.objects.filter(email="g@x.fr", used_at__isnull=True).count() >= 1


def test_codes_are_never_sent_to_agents_or_strangers() -> None:
    agent = UserFactory()
    for email in (agent.email, "nobody@nowhere.fr"):
        response = Client().post("/accounts/code/", {"email": email})
        assert response.status_code == 302  # the same answer for everyone
    assert mail.outbox == []


def test_an_external_user_sees_only_what_they_were_invited_to(client_of: Any) -> None:
    organisation_team = TeamFactory()
    invited_team = TeamFactory(organisation=organisation_team.organisation)
    UserFactory(organisation=organisation_team.organisation, full_name="Colleague Someone")
    guest = UserFactory(is_external=True, organisation=None)
    MembershipFactory(team=invited_team, user=guest)
    client = client_of(guest)
    teams = client.get("/api/v1/teams/").json()
    assert [t["id"] for t in teams["results"]] == [str(invited_team.pk)]
    assert client.get(f"/api/v1/teams/{organisation_team.pk}/").status_code == 404
    assert client.get("/api/v1/organisations/").json()["count"] == 0
    assert client.get("/api/v1/directory/?q=colleague").status_code == 403
    assert client.get("/api/v1/audit/").status_code == 403
    assert client.post("/api/v1/teams/", {"name": "Mine"}).status_code == 403
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/notifications/").json()["count"] == 0
    assert client.get("/api/v1/sessions/").json()["count"] == 1
    assert client.get("/api/v1/me/").json()["is_external"] is True
    # Inside the team they read but cannot manage it.
    assert (
        client.post(
            f"/api/v1/teams/{invited_team.pk}/invitations/",
            {"email": "x@y.fr"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_an_external_user_cannot_be_made_an_operator_or_team_administrator(
    team_admin: Any, client_of: Any
) -> None:
    from django.core.exceptions import ValidationError

    guest = UserFactory(is_external=True, organisation=None)
    guest.is_staff = True
    with pytest.raises(ValidationError, match="cannot be an operator"):
        guest.full_clean()
    team, admin = team_admin
    response = client_of(admin).post(
        f"/api/v1/teams/{team.pk}/members/",
        {"user": str(guest.pk), "role": "administrator"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "only be a member" in response.json()["detail"]
