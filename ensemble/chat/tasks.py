"""Retention: messages older than their room's retention period are deleted, with the
real-time events that carried them."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ensemble.chat.models import Attachment, Message, Room
from ensemble.core.models import StreamEvent
from ensemble.core.schedule import every
from ensemble.core.tasks import background_task


@every(timedelta(hours=1))
@background_task
def apply_retention() -> dict[str, int]:
    deleted = 0
    now = timezone.now()
    for room in Room.objects.filter(retention_days__isnull=False).iterator():
        cutoff = now - timedelta(days=room.retention_days or 0)
        with transaction.atomic():
            old = Message.objects.filter(room=room, created_at__lt=cutoff)
            deleted += old.count()
            old.delete()
            StreamEvent.objects.filter(stream=room.stream, created_at__lt=cutoff).delete()
    return {"deleted": deleted}


@every(timedelta(hours=1))
@background_task
def delete_unsent_attachments() -> dict[str, int]:
    """Files uploaded but never sent in a message are deleted after a day."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted = 0
    for attachment in Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff):
        attachment.delete()
        deleted += 1
    return {"deleted": deleted}
