"""A team keeps an owner: the last one can neither leave, be removed nor be demoted, also
when requests come at the same moment; only owners change owners."""

from __future__ import annotations

import pytest

from ensemble.accounts import actions
from ensemble.accounts.models import TeamMembership, TeamRole
from ensemble.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory
from ensemble.chat.tests.test_roles import at_once, concurrent
from ensemble.core.refusals import ActionRefused


def team_with(*roles: str) -> tuple[object, list[object]]:
    team = TeamFactory()
    people = [
        MembershipFactory(
            team=team, user=UserFactory(organisation=team.organisation), role=role
        ).user
        for role in roles
    ]
    return team, people


@pytest.mark.django_db
def test_the_last_owner_stays() -> None:
    team, (owner, admin) = team_with(TeamRole.OWNER, TeamRole.ADMINISTRATOR)
    with pytest.raises(ActionRefused, match="at least one owner"):
        actions.remove_team_member(None, owner, team, owner)
    with pytest.raises(ActionRefused, match="at least one owner"):
        actions.set_team_member(None, owner, team, owner, TeamRole.MEMBER)
    with pytest.raises(ActionRefused, match="Only an owner can change an owner's role"):
        actions.set_team_member(None, admin, team, owner, TeamRole.MEMBER)
    with pytest.raises(ActionRefused, match="Only an owner can remove an owner"):
        actions.remove_team_member(None, admin, team, owner)
    actions.set_team_member(None, owner, team, admin, TeamRole.OWNER)
    actions.set_team_member(None, admin, team, owner, TeamRole.MEMBER)  # two owners: fine
    roles = dict(TeamMembership.objects.filter(team=team).values_list("user", "role"))
    assert roles == {owner.pk: TeamRole.MEMBER, admin.pk: TeamRole.OWNER}


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_owners_leaving_at_once_leave_one() -> None:
    team, (first, second) = team_with(TeamRole.OWNER, TeamRole.OWNER)
    results = at_once(
        lambda: actions.remove_team_member(None, first, team, first),
        lambda: actions.remove_team_member(None, second, team, second),
    )
    assert sorted(type(r).__name__ for r in results) == ["ActionRefused", "NoneType"]
    assert TeamMembership.objects.filter(team=team, role=TeamRole.OWNER).count() == 1


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_keep_one() -> None:
    team, (first, second) = team_with(TeamRole.OWNER, TeamRole.OWNER)
    at_once(
        lambda: actions.set_team_member(None, first, team, second, TeamRole.MEMBER),
        lambda: actions.set_team_member(None, second, team, first, TeamRole.MEMBER),
    )
    assert TeamMembership.objects.filter(team=team, role=TeamRole.OWNER).count() == 1


@pytest.mark.django_db
def test_an_invitation_never_changes_the_role_of_someone_in_the_team() -> None:
    from ensemble.accounts import guests

    team, (owner, admin) = team_with(TeamRole.OWNER, TeamRole.ADMINISTRATOR)
    assert guests.invite(None, admin, team, owner.email, TeamRole.MEMBER) is None
    assert TeamMembership.objects.get(team=team, user=owner).role == TeamRole.OWNER
    stranger = UserFactory()  # another organisation's agent, invited by e-mail
    invitation = guests.invite(None, admin, team, stranger.email, TeamRole.ADMINISTRATOR)
    assert invitation is not None
    with pytest.raises(ActionRefused, match="not in the team's organisation"):
        guests.join_team(invitation, stranger)
    assert not TeamMembership.objects.filter(team=team, user=stranger).exists()
