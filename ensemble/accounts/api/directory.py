"""The directory: people and teams of one's organisation, for every invite field's autocomplete
and the chat's people picker. The people one shares a room with (recent contacts) come first,
and are found even from another organisation or as guests (marked ``external``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ensemble.accounts.models import Team, User
from ensemble.core.api import acting_user

MAX_RESULTS = 20
MAX_CONTACT_ROWS = 2000


class DirectoryEntrySerializer(serializers.Serializer[dict[str, str]]):
    kind = serializers.ChoiceField(choices=["person", "team"])
    id = serializers.UUIDField()
    name = serializers.CharField()
    email = serializers.EmailField(required=False)
    organisation = serializers.CharField(required=False, help_text="People: their organisation")
    external = serializers.BooleanField(
        required=False, help_text="People: a guest, or someone of another organisation"
    )
    recent = serializers.BooleanField(
        required=False, help_text="People: someone you share a conversation with"
    )


def recent_contacts(user: User) -> dict[uuid.UUID, datetime]:
    """The people ``user`` shares a room with, and when each of those rooms last spoke (or
    was made): the latest of them ranks the person. One query, on the rooms' last messages.
    Meetings' rooms do not count: everyone ever admitted to a meeting stays in its room, and
    an attendee is not a contact whose address one may look up."""
    from ensemble.chat.models import Message, RoomKind, RoomMember  # chat builds on accounts

    mine = (
        RoomMember.objects.filter(user=user, banned=False)
        .exclude(room__kind=RoomKind.MEETING)
        .values("room_id")
    )
    last = Message.objects.filter(room=OuterRef("room_id")).order_by("-seq").values("created_at")
    rows = (
        RoomMember.objects.filter(room_id__in=mine, banned=False, user__is_active=True)
        .exclude(user=user)
        .annotate(last=Subquery(last[:1]))
        .values_list("user_id", "last", "room__created_at")[:MAX_CONTACT_ROWS]
    )
    contacts: dict[uuid.UUID, datetime] = {}
    for person, spoke, made in rows:
        moment = spoke or made
        if person not in contacts or contacts[person] < moment:
            contacts[person] = moment
    return contacts


class DirectoryView(APIView):
    """Search people (by name, e-mail, organisation or team) and teams of your organisation;
    the people you share a conversation with come first. Without ``q``: those people only."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Part of a name, e-mail, organisation or team (2 or more)"
            ),
            OpenApiParameter("kind", str, enum=["all", "people", "teams"]),
        ],
        responses={200: DirectoryEntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if user.is_external or user.organisation_id is None:
            raise PermissionDenied(_("External users cannot browse the directory."))
        text = request.query_params.get("q", "").strip()
        if len(text) == 1 or len(text) > 100:
            raise ValidationError({"q": _("Type between 2 and 100 characters.")})
        kind = request.query_params.get("kind", "all")
        if kind not in {"all", "people", "teams"}:
            raise ValidationError({"kind": _("Choose all, people or teams.")})
        entries: list[dict[str, object]] = []
        if kind in {"all", "people"}:
            entries += self.people(user, text)
        if kind in {"all", "teams"} and text:
            teams = Team.objects.filter(
                organisation_id=user.organisation_id, name__icontains=text
            ).order_by("name")[:MAX_RESULTS]
            entries += [{"kind": "team", "id": str(t.pk), "name": t.name} for t in teams]
        # Entries are built from known fields; the serializer documents them in the schema.
        return Response(entries[:MAX_RESULTS])

    @staticmethod
    def people(user: User, text: str) -> list[dict[str, object]]:
        contacts = recent_contacts(user)
        colleagues = Q(organisation_id=user.organisation_id, is_external=False)
        people = User.objects.filter(colleagues | Q(pk__in=list(contacts)), is_active=True)
        if text:
            people = people.filter(
                Q(full_name__icontains=text)
                | Q(email__icontains=text)
                | Q(organisation__name__icontains=text)
                | Q(team_memberships__team__name__icontains=text)
            )
        else:
            people = people.filter(pk__in=list(contacts))
        found = list(people.select_related("organisation").distinct()[:200])

        def rank(person: User) -> tuple[bool, float, str, str]:
            moment = contacts.get(person.pk)
            when = moment.timestamp() if moment else 0.0
            return (moment is None, -when, person.full_name.lower(), person.email)

        return [
            {
                "kind": "person",
                "id": str(person.pk),
                "name": str(person),
                "email": person.email,
                "organisation": person.organisation.name if person.organisation else "",
                "external": person.is_external or person.organisation_id != user.organisation_id,
                "recent": person.pk in contacts,
            }
            for person in sorted(found, key=rank)[:MAX_RESULTS]
        ]
