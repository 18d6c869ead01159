"""Recordings of meetings: listed, downloaded and deleted by whoever may manage the meeting's
recordings (``Meeting.get_abilities``: its organiser, and its hosts and moderators while they
keep that role and have not been removed; in a team's room, while they are in the team)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from ensemble.accounts.models import TeamMembership
from ensemble.core.api import HasAbility, ObjectFirst, acting_user
from ensemble.core.files import file_response
from ensemble.meet.api.serializers import RecordingSerializer
from ensemble.meet.models import (
    MeetRole,
    Participant,
    ParticipantState,
    Recording,
    RecordingState,
)


def recordings_for(user: Any) -> QuerySet[Recording]:
    """The recordings ``user`` may manage: the query form of ``manage_recordings`` in
    ``meet/abilities.py`` (a test holds the two to the same answer)."""
    moderated = Participant.objects.filter(
        user=user, role__in=[MeetRole.HOST, MeetRole.MODERATOR]
    ).exclude(state__in=[ParticipantState.REMOVED, ParticipantState.DENIED])
    moderates = Q(meeting__in=moderated.values("meeting"))
    mine = Q(meeting__organiser=user) | moderates
    # a team's room: for the team's members only (someone who left it keeps none of its roles)
    teams = TeamMembership.objects.filter(user=user).values("team")
    in_team = Q(meeting__team__isnull=True) | Q(meeting__team__in=teams)
    return Recording.objects.filter(mine & in_team).select_related("meeting").distinct()


class RecordingViewSet(
    ObjectFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Recording],
):
    """Recordings you may download (newest first; ``?meeting=CODE`` for one meeting's)."""

    serializer_class = RecordingSerializer
    permission_classes = [IsAuthenticated, HasAbility]  # Recording.get_abilities
    ability_for_action = {"retrieve": "retrieve", "download": "download", "destroy": "destroy"}

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
                _("This recording is not ready (it is still being prepared, or failed).")
            )
        name = f"{recording.meeting.title} {recording.created_at:%Y-%m-%d %H-%M}.mp4"
        return file_response(recording.file.open("rb"), name, "video/mp4", recording.size)
