"""Background jobs of Docs: compacting content, automatic versions, purging the trash."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ensemble.core.schedule import every
from ensemble.core.tasks import background_task
from ensemble.docs import changes, store
from ensemble.docs.models import ConversionJob, Document, DocumentUpdate

# How long a deleted document stays in the trash.
TRASH_DAYS = 30
# How long an import's or an export's job (and the file of an export) is kept.
JOB_DAYS = 7


@background_task
def compact_content(document_id: str) -> dict[str, int]:
    """The log is long (a burst of editing): fold it, keep a version, refresh the search text."""
    return after_editing(document_id)


@background_task
def last_editor_left(document_id: str) -> dict[str, int]:
    """Everyone has closed a document they edited: the same as after a burst."""
    return after_editing(document_id)


def after_editing(document_id: str) -> dict[str, int]:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return {"folded": 0, "version": 0}
    last = DocumentUpdate.objects.filter(document_id=document_id).order_by("-seq").first()
    folded = store.compact(document_id)
    version = changes.snapshot(document, author=last.author if last else None)
    changes.remember_text(document_id, changes.current(document_id)[0])
    return {"folded": folded, "version": int(version is not None)}


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


@background_task(max_attempts=1)
def convert_document(job_id: str) -> str:
    """An import or an export (a failure is told to the person on the job, not retried)."""
    from ensemble.docs import conversions

    return conversions.run(job_id)


@every(timedelta(hours=6))
@background_task
def forget_old_jobs() -> dict[str, int]:
    """Imports and exports older than JOB_DAYS go, with their files (an export to download,
    the upload of an import that failed)."""
    cutoff = timezone.now() - timedelta(days=JOB_DAYS)
    deleted = 0
    for job in ConversionJob.objects.filter(created_at__lt=cutoff).iterator():
        job.delete()
        deleted += 1
    return {"deleted": deleted}
