"""The one permission model: roles and link reach give abilities."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from ensemble.core.abilities import LinkReach, Role, abilities_for, highest, link_role

ANONYMOUS = SimpleNamespace(is_authenticated=False)
AGENT = SimpleNamespace(is_authenticated=True, is_external=False)
GUEST = SimpleNamespace(is_authenticated=True, is_external=True)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, set()),
        (Role.READER, {"retrieve"}),
        (Role.COMMENTER, {"retrieve", "comment"}),
        (Role.EDITOR, {"retrieve", "comment", "update"}),
        (Role.ADMINISTRATOR, {"retrieve", "comment", "update", "manage_accesses"}),
        (Role.OWNER, {"retrieve", "comment", "update", "manage_accesses", "destroy"}),
    ],
)
def test_each_role_gives_its_abilities(role: Role | None, expected: set[str]) -> None:
    assert {name for name, allowed in abilities_for(role).items() if allowed} == expected


@pytest.mark.parametrize(
    ("reach", "user", "expected"),
    [
        (LinkReach.RESTRICTED, AGENT, None),
        (LinkReach.AUTHENTICATED, ANONYMOUS, None),
        (LinkReach.AUTHENTICATED, AGENT, Role.EDITOR),
        (LinkReach.AUTHENTICATED, GUEST, None),  # a link is not an invitation
        (LinkReach.PUBLIC, ANONYMOUS, Role.EDITOR),
        (LinkReach.PUBLIC, GUEST, Role.READER),  # what anyone reads, and nothing more
    ],
)
def test_link_reach(reach: str, user: object, expected: Role | None) -> None:
    assert link_role(reach, Role.EDITOR, user) == expected


def test_the_strongest_role_wins() -> None:
    assert highest([Role.READER, None, "administrator", Role.EDITOR]) == Role.ADMINISTRATOR
    assert highest([]) is None


def test_template_helper_asks_the_same_question() -> None:
    shared = SimpleNamespace(get_abilities=lambda user: abilities_for(Role.COMMENTER))
    template = Template(
        '{% load abilities %}{% can obj "comment" as c %}{% can obj "update" as u %}{{ c }}/{{ u }}'
    )
    request = SimpleNamespace(user=AGENT)
    assert template.render(Context({"obj": shared, "request": request})) == "True/False"
