from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.abilities import Role, abilities_for
from ensemble.core.models import BaseModel

siret_validator = RegexValidator(r"^\d{14}$", _("A SIRET number is 14 digits."))


class Organisation(BaseModel):
    """A public body (ministry, town hall, university), identified by its SIRET when known."""

    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(
        _("SIRET"), max_length=14, unique=True, null=True, blank=True, validators=[siret_validator]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMINISTRATOR = "administrator", _("Administrator")
    MEMBER = "member", _("Member")


# A team member reads the team; owners and administrators manage it.
TEAM_TO_ROLE = {
    TeamRole.OWNER: Role.OWNER,
    TeamRole.ADMINISTRATOR: Role.ADMINISTRATOR,
    TeamRole.MEMBER: Role.READER,
}


class Team(BaseModel):
    """A group of people of one organisation, to share with and invite at once."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="teams"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_role(self, user: Any) -> Role | None:
        if not user.is_authenticated:
            return None
        # all() rather than filter(): lists prefetch memberships, so this costs no query there.
        for membership in self.memberships.all():
            if membership.user_id == user.pk:
                return TEAM_TO_ROLE[TeamRole(membership.role)]
        if user.organisation_id == self.organisation_id and not user.is_external:
            return Role.READER  # colleagues can see the teams of their organisation
        return None

    def get_abilities(self, user: Any) -> dict[str, bool]:
        return abilities_for(self.get_role(user))


class TeamMembership(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER
    )

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"
