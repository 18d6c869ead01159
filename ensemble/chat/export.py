"""A room's history for archiving: JSON for machines, a readable HTML page for people.
Both are produced message by message, so that a large room never sits in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.template.loader import render_to_string
from django.utils.html import escape

from ensemble.chat.api.serializers import MESSAGE_RELATED, MessageSerializer
from ensemble.chat.models import Room


def export_lines(room: Room, kind: str) -> Iterator[str]:
    messages = (
        room.messages.select_related("author").prefetch_related(*MESSAGE_RELATED).order_by("seq")
    )
    if kind == "json":
        header = {
            "room": {"id": str(room.pk), "name": room.name, "topic": room.topic, "kind": room.kind}
        }
        yield json.dumps(header, ensure_ascii=False)[:-1] + ', "messages": ['
        for number, message in enumerate(messages.iterator(chunk_size=500)):
            data = json.dumps(MessageSerializer(message).data, ensure_ascii=False, default=str)
            yield ("," if number else "") + data
        yield "]}\n"
        return
    yield render_to_string("chat/export_head.html", {"room": room})
    for message in messages.iterator(chunk_size=500):
        author = escape(message.author_name)
        when = message.created_at.isoformat(timespec="seconds")
        text = message.html if message.deleted_at is None else "<p><em>(deleted)</em></p>"
        byline = f"<header><strong>{author}</strong> <time>{when}</time></header>"
        files = "".join(
            f"<li>{escape(file.name)} ({file.size} bytes)</li>"
            for file in message.attachments.all()
        )
        files = f"<ul class=files>{files}</ul>" if files else ""
        yield f"<article>{byline}{text}{files}</article>\n"
    yield "</main></body></html>\n"
