from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

from ensemble.core.files import delete_files_with
from ensemble.core.models import BaseModel
from ensemble.core.scanning import ScannedFile


def stored_name(instance: Attachment, filename: str) -> str:
    """Files are named by id, never by what the uploader called them; thumbnails, which
    Ensemble makes, keep their suffix (it tells PNG from JPEG)."""
    suffix = PurePath(filename).suffix if filename.startswith("thumbnail.") else ""
    return f"chat/{instance.room_id}/{uuid.uuid4()}{suffix}"


class Attachment(BaseModel, ScannedFile):
    """A file sent in a room, kept encrypted. Uploaded first, then attached to the message that
    sends it; one never attached is deleted after a day. Scanned for malware after upload: only
    its uploader may download it before the scan found it clean (core/scanning.py)."""

    room = models.ForeignKey("chat.Room", on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        "chat.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=stored_name, max_length=200)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    thumbnail = models.FileField(upload_to=stored_name, max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


delete_files_with(Attachment, "file", "thumbnail")
