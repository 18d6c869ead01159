"""The Docs REST API: comments on a document, their threads, resolving them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ensemble.core.api import acting_user, refusing
from ensemble.docs import comments
from ensemble.docs.models import Comment, Document


class ReplySerializer(serializers.ModelSerializer[Comment]):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "author_name", "body", "mentions", "created_at", "edited_at"]
        read_only_fields = fields

    def get_author_name(self, comment: Comment) -> str | None:
        return str(comment.author) if comment.author else None


class CommentSerializer(ReplySerializer):
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            *ReplySerializer.Meta.fields,
            "anchor_start",
            "anchor_end",
            "quote",
            "resolved_at",
            "resolved_by",
            "replies",
        ]
        read_only_fields = fields


class WriteSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=10_000)
    thread = serializers.UUIDField(required=False, allow_null=True)
    anchor_start = serializers.CharField(max_length=500, required=False, allow_blank=True)
    anchor_end = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quote = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    mentions = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=comments.MAX_MENTIONS
    )


class ChangeSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=10_000, required=False)
    resolved = serializers.BooleanField(required=False)


REPLIES = Comment.objects.select_related("author").prefetch_related("mentions")


class CommentViews:
    """Comments: every reader sees them; commenters and above write them."""

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=WriteSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        document: Document = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            body = WriteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            thread = None
            if data.get("thread"):
                thread = document.comments.filter(pk=data["thread"]).first()
                if thread is None:
                    raise ValidationError({"thread": _("No such comment on this document.")})
            user = acting_user(request)
            comment = refusing(
                lambda: comments.write(
                    user,
                    document,
                    data["body"],
                    thread,
                    (data.get("anchor_start", ""), data.get("anchor_end", "")),
                    data.get("quote", ""),
                    data.get("mentions"),
                )
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        threads = (
            document.comments.filter(thread__isnull=True)
            .select_related("author")
            .prefetch_related(
                "mentions",
                Prefetch(
                    "replies", Comment.objects.select_related("author").prefetch_related("mentions")
                ),
            )
        )
        return Response(CommentSerializer(threads, many=True).data)

    @extend_schema(methods=["PATCH"], request=ChangeSerializer, responses=CommentSerializer)
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"comments/(?P<comment_id>[0-9a-f-]{36})",
    )
    def comment(self, request: Request, pk: str | None = None, comment_id: str = "") -> Response:
        """Change a comment (its author), resolve or reopen a thread (commenters), delete a
        comment (its author or the document's administrators)."""
        document: Document = self.get_object()  # type: ignore[attr-defined]
        comment = document.comments.filter(pk=comment_id).first()
        if comment is None:
            raise NotFound(_("No such comment on this document."))
        user = acting_user(request)
        if request.method == "DELETE":
            refusing(lambda: comments.delete(user, comment))
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = ChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data:
            raise ValidationError({"detail": _("Give the new text or whether it is resolved.")})
        if "body" in body.validated_data:
            refusing(lambda: comments.edit(user, comment, body.validated_data["body"]))
        if "resolved" in body.validated_data:
            refusing(lambda: comments.resolve(user, comment, body.validated_data["resolved"]))
        return Response(CommentSerializer(comment).data)
