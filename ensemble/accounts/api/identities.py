"""Operators link accounts to identities at OpenID providers (provider + subject), or unlink
them: so that provisioned agents sign in with single sign-on, and an agent whose provider
changed keeps their account."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ensemble.accounts.models import ExternalIdentity
from ensemble.accounts.oidc.actions import link_identity, linkable_accounts, unlink_identity
from ensemble.core.api import acting_user, refusing


class IsOperator(BasePermission):
    message = _("Only operators may do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user.is_authenticated and request.user.is_staff)


class IdentitySerializer(serializers.ModelSerializer[ExternalIdentity]):
    class Meta:
        model = ExternalIdentity
        fields = ["id", "user", "provider", "issuer", "subject", "last_login_at", "created_at"]
        read_only_fields = fields


class IdentityLinkSerializer(serializers.Serializer[None]):
    user = serializers.UUIDField()
    provider = serializers.CharField(max_length=50)
    subject = serializers.CharField(max_length=255)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("user", str, description="Only this account's identities.")]
    )
)
class IdentityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ExternalIdentity],
):
    """Identities linked to accounts, for operators: those of their organisation's accounts
    (any account for superusers). POST links an account, DELETE unlinks it."""

    serializer_class = IdentitySerializer
    permission_classes = [IsAuthenticated, IsOperator]
    queryset = ExternalIdentity.objects.none()

    def get_queryset(self) -> QuerySet[ExternalIdentity]:
        identities = ExternalIdentity.objects.filter(
            user__in=linkable_accounts(acting_user(self.request))
        ).order_by("created_at")
        user = self.request.query_params.get("user")
        if user:
            identities = identities.filter(user_id=serializers.UUIDField().to_internal_value(user))
        return identities

    @extend_schema(request=IdentityLinkSerializer, responses={201: IdentitySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = IdentityLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operator = acting_user(request)
        user = get_object_or_404(linkable_accounts(operator), pk=data.validated_data["user"])
        identity = refusing(
            lambda: link_identity(
                request,
                operator,
                user,
                data.validated_data["provider"],
                data.validated_data["subject"],
            )
        )
        return Response(IdentitySerializer(identity).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        identity = self.get_object()
        refusing(lambda: unlink_identity(request, acting_user(request), identity))
        return Response(status=status.HTTP_204_NO_CONTENT)
