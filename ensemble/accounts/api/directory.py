"""The directory: people and teams of one's organisation, for every invite field's autocomplete."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ensemble.accounts.models import Team, User
from ensemble.core.api import acting_user

MAX_RESULTS = 20


class DirectoryEntrySerializer(serializers.Serializer[dict[str, str]]):
    kind = serializers.ChoiceField(choices=["person", "team"])
    id = serializers.UUIDField()
    name = serializers.CharField()
    email = serializers.EmailField(required=False)


class DirectoryView(APIView):
    """Search the people and teams of your organisation (at least 2 characters)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="Part of a name or e-mail"),
            OpenApiParameter("kind", str, enum=["all", "people", "teams"]),
        ],
        responses={200: DirectoryEntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if user.is_external or user.organisation_id is None:
            raise PermissionDenied("External users cannot browse the directory.")
        text = request.query_params.get("q", "").strip()
        if len(text) < 2 or len(text) > 100:
            raise ValidationError({"q": "Type between 2 and 100 characters."})
        kind = request.query_params.get("kind", "all")
        if kind not in {"all", "people", "teams"}:
            raise ValidationError({"kind": "Choose all, people or teams."})
        entries: list[dict[str, str]] = []
        if kind in {"all", "people"}:
            people = User.objects.filter(
                Q(full_name__icontains=text) | Q(email__icontains=text),
                organisation_id=user.organisation_id,
                is_active=True,
                is_external=False,
            ).order_by("full_name", "email")[:MAX_RESULTS]
            entries += [
                {"kind": "person", "id": str(p.pk), "name": str(p), "email": p.email}
                for p in people
            ]
        if kind in {"all", "teams"}:
            teams = Team.objects.filter(
                organisation_id=user.organisation_id, name__icontains=text
            ).order_by("name")[:MAX_RESULTS]
            entries += [{"kind": "team", "id": str(t.pk), "name": t.name} for t in teams]
        # Entries are built from known fields; the serializer documents them in the schema.
        return Response(entries[:MAX_RESULTS])
