from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.files import delete_files_with
from ensemble.core.models import BaseModel

CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: read aloud and typed without doubt


def new_code() -> str:
    """A join code people can read out: three groups of letters, e.g. "kfr-tbmw-qxe"."""
    groups = (3, 4, 3)
    return "-".join("".join(secrets.choice(CODE_LETTERS) for _ in range(n)) for n in groups)


class Access(models.TextChoices):
    PUBLIC = "public", _("Anyone with the link, guests included")
    SIGNED_IN = "signed_in", _("People signed in to Ensemble")
    INVITED = "invited", _("Invited people only")
    TEAM = "team", _("Members of the team")  # a team's meeting room only


class MeetRole(models.TextChoices):
    HOST = "host", _("Host")
    MODERATOR = "moderator", _("Moderator")
    PARTICIPANT = "participant", _("Participant")


class Meeting(BaseModel):
    """A meeting: instant or scheduled, placed on one Janus server while it runs."""

    code = models.CharField(max_length=16, unique=True, default=new_code)
    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.SIGNED_IN)
    lobby = models.BooleanField(_("waiting room"), default=True)
    max_participants = models.PositiveIntegerField(default=150)
    locked = models.BooleanField(default=False)
    recording = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)  # ended before it took place
    # The .ics SEQUENCE of its invitation: one higher at each change invitees are sent.
    sequence = models.PositiveIntegerField(default=0)
    # A team's permanent meeting room: the same code every time, opened again after it ends.
    team = models.OneToOneField(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_room",
    )
    # Its chat, in the Chat app: the people admitted are its members and keep it afterwards.
    chat_room = models.OneToOneField(
        "chat.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting"
    )
    # Where it runs now; the room's secret never leaves the server.
    janus_url = models.CharField(max_length=300, blank=True)
    janus_room = models.PositiveBigIntegerField(null=True, blank=True)
    janus_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_abilities(self, user: Any, participant: Participant | None = None) -> dict[str, bool]:
        """What ``user`` (or a guest, by their ``participant``) may do with this meeting: the
        one answer the API and the actions ask (``ensemble.meet.abilities``)."""
        from ensemble.meet.abilities import meeting_abilities

        return meeting_abilities(self, user, participant)

    @property
    def link(self) -> str:
        """The address people join it at."""
        return f"{settings.SITE_URL}/meet/{self.code}/"


class ParticipantState(models.TextChoices):
    WAITING = "waiting", _("In the waiting room")
    ADMITTED = "admitted", _("In the meeting")
    DENIED = "denied", _("Refused")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


class Participant(BaseModel):
    """One person's place in a meeting: a user, or a guest known by a display name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    display_name = models.CharField(max_length=100)
    role = models.CharField(max_length=12, choices=MeetRole.choices, default=MeetRole.PARTICIPANT)
    state = models.CharField(
        max_length=10, choices=ParticipantState.choices, default=ParticipantState.WAITING
    )
    invited = models.BooleanField(default=False)
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    microphone = models.BooleanField(default=False)  # as the participant's client says
    camera = models.BooleanField(default=False)
    # The id this participant joins the Janus room with (so that Ensemble can kick them).
    janus_feed = models.PositiveBigIntegerField(null=True, blank=True)
    janus_screen_feed = models.PositiveBigIntegerField(null=True, blank=True)  # a shared screen
    # The mid of the microphone it publishes (as Janus reports it): moderators mute it there.
    janus_audio_mid = models.CharField(max_length=16, blank=True)
    # The Janus token this participant holds while admitted (revoked when they go).
    janus_token = models.CharField(max_length=64, blank=True)
    guest_key = models.CharField(max_length=64, blank=True)  # a guest's proof of identity
    # The state someone left from: only someone who was in the meeting comes back without
    # waiting; someone who left the waiting room waits again.
    left_from = models.CharField(max_length=10, choices=ParticipantState.choices, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_unique_user",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def moderates(self) -> bool:
        return self.role in (MeetRole.HOST, MeetRole.MODERATOR)


class MeetingInvitation(BaseModel):
    """Someone invited to a scheduled meeting by e-mail (with or without an account)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="meeting_invitation_unique")
        ]

    def __str__(self) -> str:
        return self.email


class RecordingState(models.TextChoices):
    RECORDING = "recording", _("Recording")
    PROCESSING = "processing", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def recording_name(instance: Recording, filename: str) -> str:
    return f"meet/{instance.meeting_id}/{instance.pk}.mp4"


class Recording(BaseModel):
    """One recording of a meeting, from start to stop: Janus's files per stream while it runs,
    then one video (everyone's audio, the active speaker's video) kept encrypted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="recordings")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=RecordingState.choices, default=RecordingState.RECORDING
    )
    file = models.FileField(upload_to=recording_name, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(default=0)  # seconds
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_abilities(self, user: Any) -> dict[str, bool]:
        """A recording follows its meeting: whoever may manage the meeting's recordings may
        see, download and delete it."""
        from ensemble.meet.abilities import caller_of

        manage = self.meeting.get_abilities(user, caller_of(self.meeting, user))[
            "manage_recordings"
        ]
        return {"retrieve": manage, "download": manage, "destroy": manage}


delete_files_with(Recording, "file")
