"""Teams' permanent meeting rooms: ``POST /api/v1/meet/team-rooms/ {"team": id}`` gives the
team's room (made on the first call: 201; then 200), to the team's members; a team one is
not a member of is not found (404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.accounts.models import Team
from ensemble.core.api import acting_user, refusing
from ensemble.meet.api.serializers import MeetingSerializer
from ensemble.meet.team_rooms import team_room


class TeamRoomSerializer(serializers.Serializer[None]):
    team = serializers.UUIDField()


class TeamRoomViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    rate_limits = {"create": "meet.manage"}

    @extend_schema(
        request=TeamRoomSerializer, responses={200: MeetingSerializer, 201: MeetingSerializer}
    )
    def create(self, request: Request) -> Response:
        """The team's meeting room, the same link and code every time (members only)."""
        data = TeamRoomSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = acting_user(request)
        team = Team.objects.filter(pk=data.validated_data["team"], memberships__user=user).first()
        if team is None:
            raise exceptions.NotFound(_("You are not a member of this team."))
        meeting, created = refusing(lambda: team_room(user, team))
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MeetingSerializer(meeting).data, status=answer)
