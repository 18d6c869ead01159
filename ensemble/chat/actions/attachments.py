"""Files sent in rooms: uploaded first, then sent with a message."""

from __future__ import annotations

import os
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat.events import AttachmentScanned
from ensemble.chat.models import Attachment, Room
from ensemble.chat.posting import may_post
from ensemble.core.events import publish
from ensemble.core.files import INLINE_IMAGES, human_size, picture
from ensemble.core.refusals import BadInput
from ensemble.core.scanning import scan_after_save


class FileTooLarge(ActionRefused):
    status_code = 413


MAX_ATTACHMENTS = 10


def unsent_attachments(user: User, room: Room, ids: list[uuid.UUID]) -> list[Attachment]:
    wanted = set(ids)
    if not wanted:
        return []
    if len(wanted) > MAX_ATTACHMENTS:
        raise BadInput(_("At most %(n)s files in one message.") % {"n": MAX_ATTACHMENTS})
    files = list(
        Attachment.objects.filter(pk__in=wanted, room=room, uploaded_by=user, message__isnull=True)
    )
    if len(files) != len(wanted):
        raise BadInput(_("A file of this message was not found in this room, or was already sent."))
    return files


def upload_attachment(user: User, room: Room, upload: UploadedFile) -> Attachment:
    """Keep an uploaded file (encrypted) until a message sends it; pictures get a thumbnail."""
    if not may_post(room, user):
        raise ActionRefused(_("You cannot write in this room."))
    check_size(upload, settings.CHAT_ATTACHMENT_MAX_BYTES)
    if not upload.size:
        raise BadInput(_("The file is empty."))
    image = picture(upload.file or upload)
    declared = (upload.content_type or "")[:100]
    attachment = Attachment(
        room=room,
        uploaded_by=user,
        name=clean_file_name(upload.name or ""),
        # Only what Pillow read as a picture may ever be shown inline by a browser.
        content_type=image.content_type
        if image
        else (
            declared if declared and declared not in INLINE_IMAGES else "application/octet-stream"
        ),
        size=upload.size,
        width=image.width if image else None,
        height=image.height if image else None,
    )
    attachment.file.save("file", upload, save=False)
    if image is not None:
        attachment.thumbnail.save(image.thumbnail.name or "thumbnail", image.thumbnail, save=False)
    attachment.save()
    scan_after_save(attachment, attachment.size)
    return attachment


def check_size(upload: UploadedFile, limit: int) -> None:
    if (upload.size or 0) > limit:
        raise FileTooLarge(
            _("This file is larger than %(size)s, the largest this server accepts.")
            % {"size": human_size(limit)}
        )


def clean_file_name(name: str) -> str:
    """The last part of the name the uploader gave, without control characters."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:] or _("file")


def tell_scanned(sender: Any, pk: Any, state: str, **kwargs: Any) -> None:
    """Receiver of core.scanning.file_scanned: the room's readers learn a sent file's new scan
    state (an unsent file is known to its uploader only, and its message will carry it)."""
    if sender is not Attachment:
        return
    attachment = Attachment.objects.select_related("room").filter(pk=pk).first()
    if attachment is None or attachment.message_id is None:
        return
    event = AttachmentScanned(id=attachment.pk, message=attachment.message_id, scan=state)
    publish(attachment.room.stream, event)
