"""Assist's REST API: what is on, writing help on a passage (streamed as it is written), and
summaries of a document or of a chat room's unread messages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ensemble.assist import llm, sources, writing
from ensemble.assist.models import Feature, allowed_by, enabled
from ensemble.core.api import acting_user, refusing

MAX_PASSAGE = 20_000  # characters of a selection sent for writing help


def require(user: Any, feature: Feature) -> None:
    if not enabled(user, feature):
        raise PermissionDenied(_("Your organisation has turned this feature off."))


class StatusSerializer(serializers.Serializer[Any]):
    model = serializers.BooleanField(help_text="A language model is configured.")
    summaries = serializers.BooleanField()
    writing = serializers.BooleanField()
    transcription = serializers.BooleanField()


class AssistStatusView(APIView):
    """What Assist offers you: a language model or not, and your organisation's switches."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StatusSerializer)
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        return Response(
            {
                "model": llm.endpoint() is not None,
                **{str(feature): enabled(user, feature) for feature in Feature},
            }
        )


class RewriteSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=writing.Action.choices)
    text = serializers.CharField(max_length=MAX_PASSAGE, trim_whitespace=False)


class RewriteView(APIView):
    """The model's proposal for a passage (correct, rephrase, shorten, expand, translate,
    summarise), streamed as plain text while it is written. 503 without a model."""

    permission_classes = [IsAuthenticated]
    rate_limits = {"post": "assist.requests"}

    @extend_schema(
        request=RewriteSerializer,
        responses={(200, "text/plain"): OpenApiResponse(description="the proposal, streamed")},
    )
    def post(self, request: Request) -> StreamingHttpResponse:
        body = RewriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        require(acting_user(request), Feature.WRITING)
        pieces = refusing(
            lambda: writing.rewrite(
                writing.Action(body.validated_data["action"]), body.validated_data["text"]
            )
        )
        return streamed(pieces)


def streamed(pieces: Iterator[str]) -> StreamingHttpResponse:
    """Each piece sent as it comes. Under ASGI, Django would read a plain iterator whole
    before sending anything: an asynchronous one, each piece read in a thread, goes at once."""

    async def each() -> AsyncIterator[str]:
        step = sync_to_async(lambda: next(pieces, None), thread_sensitive=False)
        while (piece := await step()) is not None:
            yield piece

    response = StreamingHttpResponse(each(), content_type="text/plain; charset=utf-8")
    response["X-Accel-Buffering"] = "no"  # a proxy passes each piece on as it comes
    return response


class SummaryRequestSerializer(serializers.Serializer[Any]):
    document = serializers.UUIDField(required=False)
    room = serializers.UUIDField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("document")) == bool(data.get("room")):
            raise ValidationError(_("Give a document or a chat room, one of them."))
        return data


class KeptSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="the sentence's place among the source's")
    part = serializers.IntegerField(help_text="the paragraph or message it comes from")
    text = serializers.CharField()


class SummarySerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    by_model = serializers.BooleanField(help_text="written by the model, else extracted")
    kept = KeptSerializer(many=True, help_text="extracted: the sentences kept")
    parts = serializers.IntegerField(help_text="paragraphs or messages summarised")


class SummaryView(APIView):
    """A summary of a document you may read, or of a chat room's messages you have not read
    (its last ones if you read everything): by the language model if one is configured, else
    an extract naming the sentences it kept."""

    permission_classes = [IsAuthenticated]
    rate_limits = {"post": "assist.requests"}

    @extend_schema(request=SummaryRequestSerializer, responses=SummarySerializer)
    def post(self, request: Request) -> Response:
        body = SummaryRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        require(user, Feature.SUMMARIES)
        if body.validated_data.get("document"):
            found = sources.document_parts(user, body.validated_data["document"])
            kind = writing.Kind.TEXT
        else:
            found = sources.unread_parts(user, body.validated_data["room"])
            kind = writing.Kind.CHAT
        if found is None:
            raise NotFound(_("Nothing found that you may read there."))
        if not allowed_by(found.organisation_id, Feature.SUMMARIES):  # its holder's say too
            raise PermissionDenied(_("Its organisation has turned summaries off."))
        summary = refusing(lambda: writing.summarise(kind, found.parts))
        return Response(
            {
                "text": summary.text,
                "by_model": summary.by_model,
                "kept": [vars(sentence) for sentence in summary.kept],
                "parts": len(found.parts),
            }
        )
