"""The admin site and the audit log, for an operator who is not a superuser: its own
organisation's people, teams, sessions and audit entries only; a superuser sees everything."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from ensemble.accounts.models import User, UserSession
from ensemble.accounts.tests.factories import TeamFactory, UserFactory
from ensemble.core import audit

pytestmark = pytest.mark.django_db
PERMISSIONS = [
    "view_user",
    "change_user",
    "view_team",
    "change_team",
    "view_organisation",
    "view_usersession",
    "view_auditentry",
]


def operator_of(organisation: Any = None, **fields: Any) -> User:
    extra = {"organisation": organisation} if organisation is not None else {}
    operator = UserFactory(is_staff=True, **extra, **fields)
    operator.user_permissions.set(Permission.objects.filter(codename__in=PERMISSIONS))
    return operator


@pytest.fixture
def world() -> dict[str, Any]:
    """Two organisations, each with an operator, an agent, a team and audit entries."""
    ours, theirs = operator_of(), operator_of()
    agent = UserFactory(organisation=ours.organisation, full_name="Agent Ours")
    stranger = UserFactory(organisation=theirs.organisation, full_name="Agent Theirs")
    team = TeamFactory(organisation=ours.organisation, name="Our team")
    other_team = TeamFactory(organisation=theirs.organisation, name="Their team")
    chief = UserFactory(is_staff=True, is_superuser=True, organisation=None)
    entries = {
        "our actor": audit.record("test.our_actor", actor=agent),
        "our target": audit.record("test.our_target", actor=chief, target=agent),
        "our team": audit.record("test.our_team", target=team),
        "our organisation": audit.record("test.our_org", target=ours.organisation),
        "their actor": audit.record("test.their_actor", actor=stranger),
        "their target": audit.record("test.their_target", actor=chief, target=stranger),
        "their team": audit.record("test.their_team", target=other_team),
        "nobody": audit.record("test.nobody", actor_label="someone@example.org"),
    }
    people = {"ours": ours, "theirs": theirs, "agent": agent, "stranger": stranger}
    return {**people, "chief": chief, "team": team, "other_team": other_team, **entries}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def actions_seen(client: Client) -> set[str]:
    answer = client.get("/api/v1/audit/?limit=200")
    assert answer.status_code == 200
    return {e["action"] for e in answer.json()["results"] if e["action"].startswith("test.")}


def test_the_audit_api_shows_an_operator_its_organisations_entries(world: dict[str, Any]) -> None:
    assert actions_seen(signed_in(world["ours"])) == {
        "test.our_actor",
        "test.our_target",
        "test.our_team",
        "test.our_org",
    }
    assert actions_seen(signed_in(world["theirs"])) == {
        "test.their_actor",
        "test.their_target",
        "test.their_team",
    }
    position = world["their actor"].position
    assert signed_in(world["ours"]).get(f"/api/v1/audit/{position}/").status_code == 404
    exported = signed_in(world["ours"]).get("/api/v1/audit/export/")
    assert b"test.their" not in b"".join(exported.streaming_content)


def test_a_superuser_sees_every_entry(world: dict[str, Any]) -> None:
    assert len(actions_seen(signed_in(world["chief"]))) == 8


def test_an_operator_without_organisation_sees_no_entry(world: dict[str, Any]) -> None:
    assert actions_seen(signed_in(operator_of(organisation=None))) == set()


def test_the_admin_audit_log_is_scoped(world: dict[str, Any]) -> None:
    page = signed_in(world["ours"]).get("/admin/core/auditentry/?q=test.")
    assert page.status_code == 200
    shown = {entry.action for entry in page.context["cl"].result_list}
    assert shown == {"test.our_actor", "test.our_target", "test.our_team", "test.our_org"}
    assert (
        len(
            signed_in(world["chief"])
            .get("/admin/core/auditentry/?q=test.")
            .context["cl"]
            .result_list
        )
        == 8
    )


def test_the_admin_lists_only_the_organisations_people_and_teams(world: dict[str, Any]) -> None:
    client = signed_in(world["ours"])
    people = {u.pk for u in client.get("/admin/accounts/user/").context["cl"].result_list}
    assert people == {world["ours"].pk, world["agent"].pk}
    teams = {t.pk for t in client.get("/admin/accounts/team/").context["cl"].result_list}
    assert teams == {world["team"].pk}
    stranger_page = client.get(f"/admin/accounts/user/{world['stranger'].pk}/change/")
    assert stranger_page.status_code == 302  # "does not exist": another organisation's
    team_page = client.get(f"/admin/accounts/team/{world['other_team'].pk}/change/")
    assert team_page.status_code == 302
    everyone = signed_in(world["chief"]).get("/admin/accounts/user/").context["cl"].result_list
    assert len(everyone) == User.objects.count()


def test_an_operator_cannot_change_a_superuser_nor_raise_its_own_rights(
    world: dict[str, Any],
) -> None:
    ours = world["ours"]
    chief = UserFactory(is_staff=True, is_superuser=True, organisation=ours.organisation)
    client = signed_in(ours)
    answer = client.post(f"/admin/accounts/user/{chief.pk}/change/", {"email": "mine@evil.example"})
    assert answer.status_code == 403
    password = client.post(
        f"/admin/accounts/user/{chief.pk}/password/",
        {"password1": "x a long passphrase", "password2": "x a long passphrase"},
    )
    assert password.status_code == 403
    chief.refresh_from_db()
    assert chief.email != "mine@evil.example"

    page = client.get(f"/admin/accounts/user/{ours.pk}/change/")
    form = page.context["adminform"].form
    assert {"is_superuser", "is_staff", "groups", "user_permissions", "organisation"}.isdisjoint(
        form.fields
    )
    client.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [str(chief.pk)]},
    )
    chief.refresh_from_db()
    assert chief.is_active


def test_the_session_list_is_scoped(world: dict[str, Any]) -> None:
    for number, person in enumerate([world["agent"], world["stranger"]]):
        UserSession.objects.create(session_key=f"key{number}", user=person, ip="192.0.2.1")
    page = signed_in(world["ours"]).get("/admin/accounts/usersession/")
    assert [s.user for s in page.context["cl"].result_list] == [world["agent"]]
