"""Messages are written in Markdown and shown as sanitized HTML: whatever the text, the HTML
that reaches a browser holds only harmless tags (nh3, the Ammonia sanitizer)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt

if TYPE_CHECKING:
    from ensemble.accounts.models import User

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}}

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


# One line of words and common punctuation, starting with a letter: Markdown would make it a
# paragraph of the same text (most chat messages; a test compares both ways on such texts).
PLAIN_TEXT = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:?!'\"()/@%+=-])*", re.UNICODE)


def render(text: str, mentioned: Sequence[User] = ()) -> str:
    """The HTML of a message; the ``@name`` of each person it names becomes a mention."""
    if PLAIN_TEXT.fullmatch(text) and not text.endswith(" "):
        html = f"<p>{text}</p>\n"
    else:
        html = rendered(text)
    return with_mentions(html, mentioned) if mentioned else html


def rendered(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


TAG = re.compile(r"(<[^>]*>)")


def with_mentions(html: str, people: Sequence[User]) -> str:
    """``@Name`` of each person in the text (not in tags, code or links) made a mention: a
    span with the person's id, which the page marks (and marks more when it names the reader)."""
    names = {f"@{escape_text(str(person))}": person.pk for person in people}
    longest_first = sorted(names, key=len, reverse=True)
    pattern = re.compile("(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")
    parts, inside = [], 0  # inside: how many <code>, <pre> or <a> are open
    for part in TAG.split(html):
        if part.startswith("<"):
            name = part.strip("</ >").split(" ")[0]
            if name in {"code", "pre", "a"}:
                inside += -1 if part.startswith("</") else 1
            parts.append(part)
        elif inside:
            parts.append(part)
        else:
            parts.append(pattern.sub(lambda match: span(match[0], names[match[0]]), part))
    return "".join(parts)


def span(name: str, person: uuid.UUID) -> str:
    return f'<span class="ens-mention" data-user="{person}">{name}</span>'


def escape_text(text: str) -> str:
    """A name as it stands in the sanitized HTML's text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
