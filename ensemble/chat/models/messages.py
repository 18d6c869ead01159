from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import BaseModel


class Message(BaseModel):
    """A message of a room. ``seq`` is its place in the room's stream; ``txn_id`` is chosen by
    the sending client so that a retried send never makes a second message. A guest without
    an account (in a meeting's chat) writes under ``guest``, an id Meet gives, and a name."""

    room = models.ForeignKey("chat.Room", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    guest = models.UUIDField(null=True, blank=True)
    guest_name = models.CharField(max_length=100, blank=True)
    txn_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    body = models.TextField(_("text"))
    html = models.TextField()
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    mentions = models.ManyToManyField(  # the members a message names (by id; @name in the text)
        settings.AUTH_USER_MODEL, related_name="+", blank=True
    )
    mentions_room = models.BooleanField(default=False)  # @room, by a moderator
    pinned_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["author", "txn_id"], name="message_unique_txn"),
            models.UniqueConstraint(
                fields=["guest", "txn_id"],
                condition=models.Q(guest__isnull=False),
                name="message_unique_guest_txn",
            ),
        ]
        indexes = [models.Index(fields=["room", "-seq"])]

    def __str__(self) -> str:
        return self.body[:50]

    @property
    def author_name(self) -> str:
        """Who wrote it, as people read it: the account's name, or the guest's."""
        return str(self.author) if self.author else self.guest_name


class MessageRevision(BaseModel):
    """An earlier text of an edited message (the history an edit keeps)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"revision of {self.message_id}"


class Reaction(BaseModel):
    """An emoji reaction of one person to one message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message_id}"
