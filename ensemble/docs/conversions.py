"""Imports and exports, as background jobs: asked for (``ask_import``, ``ask_export``), run by
``run`` in a worker with their progress stored, their result kept for the person who asked."""

from __future__ import annotations

import io
import logging
import re
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core.files import picture
from ensemble.core.refusals import ActionRefused, BadInput
from ensemble.docs import actions, changes, convert
from ensemble.docs.models import ConversionJob, Document, DocumentImage, JobKind, JobState

logger = logging.getLogger(__name__)

# The largest file one may import.
IMPORT_MAX_BYTES = 50 * 1024 * 1024
EXTENSIONS = {
    ".docx": "docx",
    ".odt": "odt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
IMAGE_SRC = re.compile(r"^/docs/images/([0-9a-f-]{36})/$")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def ask_export(user: User, document: Document, fmt: str) -> ConversionJob:
    if not document.get_abilities(user)["retrieve"]:
        raise ActionRefused(_("You may not read this document."))
    if fmt not in convert.EXPORT_FORMATS:
        raise BadInput(_("Export as PDF, DOCX, ODT, Markdown (md) or HTML."))
    job = ConversionJob.objects.create(
        kind=JobKind.EXPORT, format=fmt, document=document, requested_by=user
    )
    enqueue(job)
    return job


def ask_import(user: User, upload: UploadedFile, parent: Document | None) -> ConversionJob:
    if user.is_external and parent is None:
        raise ActionRefused(_("External users cannot create documents of their own."))
    if parent is not None and not parent.get_abilities(user)["create_child"]:
        raise ActionRefused(_("You may not add a page below this document."))
    fmt = EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
    if fmt is None:
        raise BadInput(_("Import a DOCX, ODT, Markdown or HTML file."))
    if (upload.size or 0) > IMPORT_MAX_BYTES:
        raise BadInput(_("A file to import may be 50 MB at most."))
    job = ConversionJob.objects.create(
        kind=JobKind.IMPORT,
        format=fmt,
        parent=parent,
        name=(upload.name or "")[:255],
        file=upload,
        requested_by=user,
    )
    enqueue(job)
    return job


def enqueue(job: ConversionJob) -> None:
    from ensemble.docs.tasks import convert_document

    transaction.on_commit(lambda: convert_document.enqueue(str(job.pk)))


def step(job: ConversionJob, progress: int, state: str = JobState.RUNNING) -> None:
    job.state, job.progress = state, progress
    job.save(update_fields=["state", "progress", "error", "updated_at"])


def run(job_id: str) -> str:
    """Do one job; its state says how it ended (a failure's message is for the person)."""
    job = ConversionJob.objects.select_related("document", "parent", "requested_by").get(pk=job_id)
    if job.state in (JobState.DONE, JobState.FAILED):
        return str(job.state)
    step(job, 10)
    try:
        with translation.override(job.requested_by.reads):
            if job.kind == JobKind.EXPORT:
                export(job)
            else:
                import_(job)
    except convert.ConversionError as error:
        job.error = str(error)[:500]
        step(job, 100, JobState.FAILED)
    except Exception:
        logger.exception("conversion job %s failed", job.pk)
        with translation.override(job.requested_by.reads):
            job.error = _("The conversion failed. Try again, or with another file.")
        step(job, 100, JobState.FAILED)
        raise
    return str(job.state)


def export(job: ConversionJob) -> None:
    document = job.document
    if document is None or not document.get_abilities(job.requested_by)["retrieve"]:
        raise convert.ConversionError(_("You may no longer read this document."))
    pm_json, _seq = changes.current(document.pk)
    step(job, 30)
    data = convert.export(pm_json, job.format, lambda src: image_bytes(document, src))
    step(job, 90)
    name = f"{get_valid_filename(document.title or 'document')[:100] or 'document'}.{job.format}"
    job.name = name
    job.file.save(name, ContentFile(data), save=False)
    job.save(update_fields=["name", "file"])
    step(job, 100, JobState.DONE)


def image_bytes(document: Document, src: str) -> bytes | None:
    """The bytes of a picture of ``document`` from its address in the content."""
    found = IMAGE_SRC.match(src)
    if found is None:
        return None
    image = DocumentImage.objects.filter(pk=found.group(1), document=document).first()
    if image is None:
        return None
    with image.file.open("rb") as stored:
        data: bytes = stored.read()
    return data


def import_(job: ConversionJob) -> None:
    with job.file.open("rb") as stored:
        data = stored.read()
    step(job, 20)
    imported = convert.import_file(data, job.format)
    step(job, 70)
    title = PurePath(job.name).stem[:255]
    with transaction.atomic():
        document = actions.create_document(job.requested_by, title, job.parent)
        addresses = {}
        for name, data in imported.images:
            found = picture(io.BytesIO(data))
            if found is None:  # not a picture we show (an SVG, a broken file): left out
                continue
            image = DocumentImage.objects.create(
                document=document,
                file=ContentFile(data, name=get_valid_filename(name) or "image"),
                content_type=found.content_type,
                size=len(data),
                uploaded_by=job.requested_by,
            )
            addresses[f"ensemble-import:{name}"] = f"/docs/images/{image.pk}/"
        changes.replace(document, job.requested_by, with_images(imported.document, addresses))
        job.document = document
        job.save(update_fields=["document"])
    job.file.delete(save=False)  # the file sent is not kept once imported
    job.save(update_fields=["file"])
    step(job, 100, JobState.DONE)


def with_images(node: dict[str, Any], addresses: dict[str, str]) -> dict[str, Any]:
    """The document with each imported image's placeholder replaced by its stored address."""
    if node.get("type") == "image":
        attrs = dict(node.get("attrs") or {})
        attrs["src"] = addresses.get(str(attrs.get("src")), attrs.get("src"))
        node = {**node, "attrs": attrs}
    if node.get("content"):
        node = {**node, "content": [with_images(child, addresses) for child in node["content"]]}
    return node
