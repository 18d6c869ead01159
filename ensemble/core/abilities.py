"""The one permission model of Ensemble.

Every shared object answers ``get_abilities(user)``: a dict of what that user may do with it.
Abilities derive from the user's role on the object, which comes from explicit accesses
(owner, administrator, editor, commenter, reader) and from the object's link reach
(restricted, authenticated, public) with the role a link gives. API permissions
(``ensemble.core.api.HasAbility``) and templates (``{% can obj "update" %}``) both ask the
same question.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMINISTRATOR = "administrator", _("Administrator")
    EDITOR = "editor", _("Editor")
    COMMENTER = "commenter", _("Commenter")
    READER = "reader", _("Reader")


class LinkReach(models.TextChoices):
    RESTRICTED = "restricted", _("Restricted: only people given access")
    AUTHENTICATED = "authenticated", _("Anyone signed in with the link")
    PUBLIC = "public", _("Anyone with the link")


RANK = {Role.READER: 1, Role.COMMENTER: 2, Role.EDITOR: 3, Role.ADMINISTRATOR: 4, Role.OWNER: 5}

# The least role each ability needs.
ABILITY_ROLES: dict[str, Role] = {
    "retrieve": Role.READER,
    "comment": Role.COMMENTER,
    "update": Role.EDITOR,
    "manage_accesses": Role.ADMINISTRATOR,
    "destroy": Role.OWNER,
}


def highest(roles: list[Role | str | None]) -> Role | None:
    """The strongest of several roles (None if there is none)."""
    known = [Role(role) for role in roles if role]
    return max(known, key=lambda role: RANK[role], default=None)


def link_role(reach: str, role: str, user: Any) -> Role | None:
    """The role that an object's link gives to ``user``. External users get only what they
    were invited to: a link is not an invitation. A public link lets them read what anyone
    may read signed out, no more."""
    external = getattr(user, "is_external", False)
    if reach == LinkReach.PUBLIC:
        return Role.READER if external else Role(role)
    if reach == LinkReach.AUTHENTICATED and user.is_authenticated:
        return None if external else Role(role)
    return None


def abilities_for(role: Role | None, **extra: bool) -> dict[str, bool]:
    """Abilities of a role, plus object-specific ones given by the caller."""
    rank = RANK[role] if role else 0
    abilities = {name: rank >= RANK[needed] for name, needed in ABILITY_ROLES.items()}
    abilities.update(extra)
    return abilities


class SharedObject(models.Model):
    """Mixin for models that have explicit accesses and a link reach."""

    link_reach = models.CharField(
        _("link reach"), max_length=20, choices=LinkReach.choices, default=LinkReach.RESTRICTED
    )
    link_role = models.CharField(
        _("link role"), max_length=20, choices=Role.choices, default=Role.READER
    )

    class Meta:
        abstract = True

    def get_explicit_roles(self, user: Any) -> list[Role | str | None]:
        """Roles given to ``user`` (directly or through a team); apps override this."""
        return []

    def get_role(self, user: Any) -> Role | None:
        explicit = self.get_explicit_roles(user) if user.is_authenticated else []
        return highest([*explicit, link_role(self.link_reach, self.link_role, user)])

    def get_abilities(self, user: Any) -> dict[str, bool]:
        return abilities_for(self.get_role(user))
