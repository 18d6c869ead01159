from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.abilities import Role, abilities_for
from ensemble.core.models import BaseModel


class RoomKind(models.TextChoices):
    FORUM = "forum", _("Forum: visible to the organisation, no external users")
    PRIVATE = "private", _("Private: by invitation only")
    EXTERNAL = "external", _("External: may include external users")
    DIRECT = "direct", _("Direct: two people")


class RoomRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MODERATOR = "moderator", _("Moderator")
    MEMBER = "member", _("Member")


ROOM_TO_ROLE = {
    RoomRole.ADMIN: Role.ADMINISTRATOR,
    RoomRole.MODERATOR: Role.EDITOR,
    RoomRole.MEMBER: Role.COMMENTER,
}


class Room(BaseModel):
    """A conversation: a forum of the organisation, a private or external room, or a direct one."""

    kind = models.CharField(_("kind"), max_length=10, choices=RoomKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="rooms", null=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name or str(_("Direct conversation"))

    @property
    def stream(self) -> str:
        return f"chat.room:{self.pk}"

    def membership(self, user: Any) -> RoomMember | None:
        if not user.is_authenticated:
            return None
        return self.members.filter(user=user, banned=False).first()

    def get_abilities(self, user: Any) -> dict[str, bool]:
        member = self.membership(user)
        role = ROOM_TO_ROLE[RoomRole(member.role)] if member else None
        visible_forum = (
            self.kind == RoomKind.FORUM
            and user.is_authenticated
            and not user.is_external
            and user.organisation_id == self.organisation_id
            and not self.members.filter(user=user, banned=True).exists()
        )
        if role is None and visible_forum:
            role = Role.READER
        abilities = abilities_for(role)
        live = self.archived_at is None
        abilities.update(
            join=visible_forum and member is None and live,
            post=member is not None and live,
            moderate=member is not None and member.role in (RoomRole.ADMIN, RoomRole.MODERATOR),
        )
        return abilities


class RoomMember(BaseModel):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=RoomRole.choices, default=RoomRole.MEMBER
    )
    banned = models.BooleanField(_("banned"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"
