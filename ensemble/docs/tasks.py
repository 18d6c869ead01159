"""Background jobs of Docs: compacting content, purging the trash."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.docs import store
from ensemble.docs.models import Document

# How long a deleted document stays in the trash.
TRASH_DAYS = 30


@background_task
def compact_content(document_id: str) -> dict[str, int]:
    return {"folded": store.compact(document_id)}


@background_task
def last_editor_left(document_id: str) -> dict[str, int]:
    """Everyone has closed a document they edited: fold its log."""
    return {"folded": store.compact(document_id)}


@every(timedelta(hours=6))
@background_task
def purge_trash() -> dict[str, int]:
    """Documents deleted more than TRASH_DAYS ago are deleted for good (with what is below)."""
    cutoff = timezone.now() - timedelta(days=TRASH_DAYS)
    purged = 0
    for document in Document.objects.filter(deleted_at__lt=cutoff).order_by("path"):
        if Document.objects.filter(pk=document.pk).exists():  # not gone with its parent
            document.delete()
            purged += 1
    return {"purged": purged}
