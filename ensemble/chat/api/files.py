"""Files of the chat, read back decrypted: sent in a room one may read, or one's own upload.
(They are uploaded through the room: RoomViewSet.attachments.) Only their uploader may download
them before their malware scan found them clean; nobody may once it found malware."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from ensemble.chat.api.serializers import AttachmentSerializer
from ensemble.chat.api.views import visible_rooms
from ensemble.chat.models import Attachment
from ensemble.core.api import acting_user, refusing
from ensemble.core.files import file_response, picture_type
from ensemble.core.scanning import check_download


class AttachmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Attachment]):
    """Files sent in the rooms you may read, and the ones you uploaded and not yet sent."""

    serializer_class = AttachmentSerializer
    queryset = Attachment.objects.none()

    def get_queryset(self) -> QuerySet[Attachment]:
        user = acting_user(self.request)
        sent = Q(message__isnull=False, message__deleted_at__isnull=True)
        return Attachment.objects.filter(
            Q(room__in=visible_rooms(user)) & (sent | Q(uploaded_by=user))
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse()})
    @action(detail=True, methods=["get"])
    def content(self, request: Request, pk: str | None = None) -> Any:
        """The file itself (pictures are shown inline, anything else is downloaded); 423 to all
        but its uploader while it waits for its malware scan, 403 once malware was found."""
        attachment = self.get_object()
        user = acting_user(request)
        refusing(lambda: check_download(attachment, user, attachment.uploaded_by_id))
        return file_response(
            attachment.file.open("rb"), attachment.name, attachment.content_type, attachment.size
        )

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse()})
    @action(detail=True, methods=["get"])
    def thumbnail(self, request: Request, pk: str | None = None) -> Any:
        """A small version of a picture (at most 480 by 480 pixels); 404 for other files. Made
        by Ensemble from the picture's pixels, it is shown before the scan, unless malware."""
        attachment = self.get_object()
        user = acting_user(request)
        refusing(lambda: check_download(attachment, user, attachment.uploaded_by_id, copy=True))
        if not attachment.thumbnail:
            raise Http404(_("This file has no thumbnail."))
        kind = picture_type(attachment.thumbnail.name or "")
        return file_response(attachment.thumbnail.open("rb"), f"thumbnail-{attachment.name}", kind)
