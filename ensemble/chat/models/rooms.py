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
    MEETING = "meeting", _("Meeting: the chat of a video meeting, whose people Meet decides")


# The kinds people create by name (direct rooms come from a person, meeting ones from Meet).
CREATED_KINDS = [RoomKind.FORUM, RoomKind.PRIVATE, RoomKind.EXTERNAL]


class RoomRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MODERATOR = "moderator", _("Moderator")
    MEMBER = "member", _("Member")


class NotifyLevel(models.TextChoices):
    ALL = "all", _("Every message")
    MENTIONS = "mentions", _("Mentions only")
    NONE = "none", _("Nothing (muted)")


ROOM_TO_ROLE = {
    RoomRole.ADMIN: Role.ADMINISTRATOR,
    RoomRole.MODERATOR: Role.EDITOR,
    RoomRole.MEMBER: Role.COMMENTER,
}


class RoomQuerySet(models.QuerySet["Room"]):
    def readable_by(self, user: Any) -> RoomQuerySet:
        """The rooms ``user`` may read: those they belong to, and the forums of their
        organisation, unless banned there. The query form of ``Room.get_abilities``'s
        "retrieve" (a test holds the two to the same answer)."""
        if not user.is_authenticated:
            return self.none()
        mine = RoomMember.objects.filter(room=models.OuterRef("pk"), user=user)
        readable = models.Q(models.Exists(mine.filter(banned=False)))
        if not user.is_external and user.organisation_id:
            forum = models.Q(kind=RoomKind.FORUM, organisation_id=user.organisation_id)
            readable |= forum & ~models.Q(models.Exists(mine.filter(banned=True)))
        return self.filter(readable)


class Room(BaseModel):
    """A conversation: a forum of the organisation, a private or external room, a direct one,
    or the chat of a meeting (its members are the people admitted to the meeting)."""

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
    avatar = models.FileField(_("avatar"), upload_to="chat/avatars/", max_length=200, blank=True)
    # A direct room's two people ("<smaller id>:<larger id>"): one room per pair, held by the
    # database (unique), not by a check that two requests at once could both pass.
    direct_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)
    retention_days = models.PositiveIntegerField(
        _("keep messages for (days)"),
        null=True,
        blank=True,
        help_text=_("Older messages are deleted; empty keeps them all."),
    )

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name or str(_("Direct conversation"))

    @property
    def stream(self) -> str:
        return Room.stream_of(self.pk)

    @staticmethod
    def direct_key_of(one: Any, other: Any) -> str:
        return ":".join(sorted([str(one.pk), str(other.pk)]))

    @staticmethod
    def stream_of(room_id: Any) -> str:
        return f"chat.room:{room_id}"

    def membership(self, user: Any) -> RoomMember | None:
        if not user.is_authenticated:
            return None
        return self.members.filter(user=user, banned=False).first()

    def member_state(self, user: Any) -> tuple[str | None, bool]:
        """(role, banned) of ``user`` here; lists annotate them (my_role, my_banned)."""
        if hasattr(self, "my_role"):
            return getattr(self, "my_role", None), bool(getattr(self, "my_banned", False))
        row = self.members.filter(user=user).values_list("role", "banned").first()
        return (row[0], row[1]) if row else (None, False)

    def notifies_every_message(self) -> bool:
        """Whether anyone here is notified of every message (the sending path annotates it:
        every_message)."""
        if hasattr(self, "every_message"):
            return bool(self.every_message)
        return self.members.filter(notify=NotifyLevel.ALL, banned=False).exists()

    def get_abilities(self, user: Any) -> dict[str, bool]:
        role_name, banned = self.member_state(user) if user.is_authenticated else (None, False)
        member_role = None if banned else role_name
        role = ROOM_TO_ROLE[RoomRole(member_role)] if member_role else None
        visible_forum = (
            self.kind == RoomKind.FORUM
            and user.is_authenticated
            and not user.is_external
            and user.organisation_id == self.organisation_id
            and not banned
        )
        if role is None and visible_forum:
            role = Role.READER
        abilities = abilities_for(role)
        live = self.archived_at is None
        abilities.update(
            join=visible_forum and member_role is None and live,
            post=member_role is not None and live,
            moderate=member_role in (RoomRole.ADMIN, RoomRole.MODERATOR),
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
    notify = models.CharField(
        _("notifications"), max_length=10, choices=NotifyLevel.choices, default=NotifyLevel.MENTIONS
    )
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_member_unique")]
        indexes = [
            # "Is anyone here notified of every message?", asked by every plain send
            # (chat/storage.py): a look-up, not a read of all the room's members.
            models.Index(fields=["room", "notify"], name="room_member_notify"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"
