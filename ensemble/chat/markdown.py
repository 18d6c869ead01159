"""Messages are written in Markdown and shown as sanitized HTML: whatever the text, the HTML
that reaches a browser holds only harmless tags (nh3, the Ammonia sanitizer)."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

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


def render(text: str) -> str:
    if PLAIN_TEXT.fullmatch(text) and not text.endswith(" "):
        return f"<p>{text}</p>\n"
    return rendered(text)


def rendered(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
