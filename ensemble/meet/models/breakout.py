"""Breakout rooms: a meeting's people split into smaller rooms for a while, then brought back.

One ``Breakout`` per session (at most one open per meeting), its rooms (each a Janus room of
its own on the meeting's Janus), and who was placed in which (``BreakoutSeat``). People stay
admitted in the meeting itself: its chat, hands and moderation go on as before."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ensemble.core.models import BaseModel


class Breakout(BaseModel):
    meeting = models.ForeignKey("meet.Meeting", on_delete=models.CASCADE, related_name="breakouts")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ends_at = models.DateTimeField(null=True, blank=True)  # the timer; None: until brought back
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "meet"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(closed_at__isnull=True),
                name="breakout_one_open_per_meeting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.created_at:%H:%M})"


class BreakoutRoom(BaseModel):
    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    janus_room = models.PositiveBigIntegerField(null=True, blank=True)
    janus_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "meet"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class BreakoutSeat(BaseModel):
    """Someone placed in one room of a breakout (in one room at most)."""

    breakout = models.ForeignKey(Breakout, on_delete=models.CASCADE, related_name="seats")
    room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(
        "meet.Participant", on_delete=models.CASCADE, related_name="breakout_seats"
    )

    class Meta:
        app_label = "meet"
        constraints = [
            models.UniqueConstraint(
                fields=["breakout", "participant"], name="breakout_seat_one_room"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.room}"
