"""Recordings of meetings: listed, downloaded and deleted by the meeting's organiser, the
person who recorded, and the meeting's hosts and moderators."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from ensemble.core.api import acting_user
from ensemble.core.files import file_response
from ensemble.meet.models import MeetRole, Recording, RecordingState


class RecordingSerializer(serializers.ModelSerializer[Recording]):
    meeting = serializers.CharField(source="meeting.code", read_only=True)
    title = serializers.CharField(source="meeting.title", read_only=True)

    class Meta:
        model = Recording
        fields = [
            "id", "meeting", "title", "state", "created_at", "stopped_at", "duration", "size",
            "error",
        ]  # fmt: skip
        read_only_fields = fields


def recordings_for(user: Any) -> QuerySet[Recording]:
    moderates = Q(
        meeting__participants__user=user,
        meeting__participants__role__in=[MeetRole.HOST, MeetRole.MODERATOR],
    )
    mine = Q(meeting__organiser=user) | Q(started_by=user) | moderates
    return Recording.objects.filter(mine).select_related("meeting").distinct()


class RecordingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Recording],
):
    """Recordings you may download (newest first; ``?meeting=CODE`` for one meeting's)."""

    serializer_class = RecordingSerializer

    def get_queryset(self) -> QuerySet[Recording]:
        found = recordings_for(acting_user(self.request))
        code = self.request.query_params.get("meeting")
        return found.filter(meeting__code=code) if code else found

    @extend_schema(responses={(200, "video/mp4"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        recording = self.get_object()
        if recording.state != RecordingState.READY:
            raise exceptions.NotFound(
                "This recording is not ready (it is still being prepared, or failed)."
            )
        name = f"{recording.meeting.title} {recording.created_at:%Y-%m-%d %H-%M}.mp4"
        return file_response(recording.file.open("rb"), name, "video/mp4", recording.size)
