from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from ensemble.accounts import actions, guests
from ensemble.accounts.api.serializers import (
    ApiTokenSerializer,
    InvitationInputSerializer,
    MemberInputSerializer,
    MemberRemoveSerializer,
    MeSerializer,
    NewApiTokenSerializer,
    OrganisationSerializer,
    SessionSerializer,
    TeamSerializer,
)
from ensemble.accounts.models import ApiToken, Organisation, Team, User, UserSession
from ensemble.core.api import HasAbility, ObjectFirst, Refused, acting_user
from ensemble.core.refusals import TooFast


def refused_as_validation(refusal: actions.ActionRefused) -> APIException:
    if isinstance(refusal, TooFast):  # 429, with how long to wait
        return Refused(refusal)
    return ValidationError({"detail": str(refusal)})


class MeView(generics.RetrieveUpdateAPIView[User]):
    """The signed-in person's profile."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return acting_user(self.request)

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        actions.update_profile(self.request, self.get_object(), dict(serializer.validated_data))


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    """Organisations: one's own; superusers see all."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self) -> QuerySet[Organisation]:
        user = acting_user(self.request)
        if user.is_superuser:
            return Organisation.objects.all()
        return Organisation.objects.filter(members=user)


class TeamViewSet(ObjectFirst, viewsets.ModelViewSet[Team]):
    """Teams of one's organisation, and those one belongs to."""

    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated, HasAbility]
    queryset = Team.objects.none()
    ability_for_action = {
        "members": "manage_accesses",
        "remove_member": "manage_accesses",
        "invitations": "manage_accesses",
    }

    def get_queryset(self) -> QuerySet[Team]:
        user = acting_user(self.request)
        visible = Q(memberships__user=user)
        if not user.is_external and user.organisation_id:
            visible |= Q(organisation_id=user.organisation_id)
        return (
            Team.objects.filter(visible)
            .distinct()
            .prefetch_related("memberships__user")
            .order_by("name")
        )

    def perform_create(self, serializer: BaseSerializer[Team]) -> None:
        try:
            serializer.instance = actions.create_team(
                self.request, acting_user(self.request), serializer.validated_data["name"]
            )
        except actions.ActionRefused as refusal:
            raise PermissionDenied(str(refusal)) from refusal

    def perform_update(self, serializer: BaseSerializer[Team]) -> None:
        serializer.save()

    @extend_schema(request=MemberInputSerializer, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        team = self.get_object()
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.set_team_member(
                request,
                acting_user(request),
                team,
                data.validated_data["user"],
                data.validated_data["role"],
            )
        except actions.ActionRefused as refusal:
            raise refused_as_validation(refusal) from refusal
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=InvitationInputSerializer, responses={200: TeamSerializer, 201: None})
    @action(detail=True, methods=["post"])
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        """Invite someone by e-mail: an existing account joins at once, anyone else gets an
        invitation by e-mail (and joins as an external user)."""
        team = self.get_object()
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sent = guests.invite(
                request,
                acting_user(request),
                team,
                data.validated_data["email"],
                data.validated_data["role"],
            )
        except actions.ActionRefused as refusal:
            raise refused_as_validation(refusal) from refusal
        if sent is not None:
            return Response({"invited": sent.email}, status=status.HTTP_201_CREATED)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=MemberRemoveSerializer, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"], url_path="members/remove")
    def remove_member(self, request: Request, pk: str | None = None) -> Response:
        team = self.get_object()
        data = MemberRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.remove_team_member(
                request, acting_user(request), team, data.validated_data["user"]
            )
        except actions.ActionRefused as refusal:
            raise refused_as_validation(refusal) from refusal
        return Response(self.get_serializer(self.get_object()).data)


class SessionViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[UserSession]
):
    """One's signed-in browsers; DELETE ends one."""

    serializer_class = SessionSerializer
    queryset = UserSession.objects.none()

    def get_queryset(self) -> QuerySet[UserSession]:
        return UserSession.objects.filter(user=acting_user(self.request))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.revoke_session(request, acting_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class BrowserSessionOnly(BasePermission):
    message = _("API tokens are managed from a signed-in browser, not with another token.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return not isinstance(request.auth, ApiToken)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """One's personal API tokens. POST returns the token once; DELETE revokes it."""

    queryset = ApiToken.objects.none()
    permission_classes = [IsAuthenticated, BrowserSessionOnly]

    def get_serializer_class(self) -> type[ApiTokenSerializer]:
        return NewApiTokenSerializer if self.action == "create" else ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=acting_user(self.request))

    def perform_create(self, serializer: BaseSerializer[ApiToken]) -> None:
        data = serializer.validated_data
        token, value = actions.create_api_token(
            self.request,
            acting_user(self.request),
            data["name"],
            data["scopes"],
            data["expires_in_days"],
        )
        token.token = value  # type: ignore[attr-defined]  # shown in this answer only
        serializer.instance = token

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.revoke_api_token(request, acting_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
