"""Search the messages of the rooms one may read."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, QuerySet

from ensemble.chat import storage
from ensemble.chat.api.serializers import MESSAGE_RELATED
from ensemble.chat.models import Message, Room
from ensemble.core.fulltext import fts5_query

MAX_RESULTS = 50


def search_messages(rooms: QuerySet[Room], text: str) -> list[Message]:
    base = (
        Message.objects.filter(room__in=rooms, deleted_at__isnull=True)
        .select_related("author", "room")
        .prefetch_related(*MESSAGE_RELATED)
    )
    if connection.vendor == "postgresql":
        vector = SearchVector("body", config="simple")
        query = SearchQuery(text, config="simple", search_type="websearch")
        found = base.annotate(document=vector, rank=SearchRank(vector, query)).filter(
            document=query  # @@: every word must match
        )
        return list(found.order_by(-F("rank"), "-created_at")[:MAX_RESULTS])
    match = fts5_query(text)
    if not match:
        return []
    ranked = storage.fts5_matches(match)
    by_id = {message.pk.hex: message for message in base.filter(pk__in=ranked)}
    ordered = [by_id[key.replace("-", "")] for key in ranked if key.replace("-", "") in by_id]
    return ordered[:MAX_RESULTS]
