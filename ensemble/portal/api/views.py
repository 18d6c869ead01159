from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.core.api import acting_user
from ensemble.core.events import current_seq
from ensemble.portal import actions
from ensemble.portal.api.serializers import NotificationSerializer
from ensemble.portal.models import Notification


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    """A person's own notifications. The list's X-Stream-Seq header is the sequence of the
    person's stream it reflects: follow ``user:<id>`` on /ws/ after it."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.filter(recipient=acting_user(self.request)).order_by(
            "-created_at"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The sequence is read before the list: events after it may already show in the
        # list, and applying them again changes nothing.
        seq = current_seq(actions.user_stream(acting_user(request)))
        response = super().list(request, *args, **kwargs)
        response["X-Stream-Seq"] = str(seq)
        return response

    @extend_schema(request=None, responses={200: NotificationSerializer, 404: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = actions.mark_read(self.get_object())
        return Response(NotificationSerializer(notification).data)
