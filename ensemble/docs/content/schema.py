"""The editor's schema as the server knows it: node and mark names with their default attributes.

It mirrors `frontend/src/docs/schema.ts` (TipTap 3.31.3 with the options the page uses), which is
exported to `ensemble/docs/schema.json`; `tests/test_content.py` fails when the two disagree.
Defaults matter because y-prosemirror stores no attribute whose value is null, and TipTap's
`getJSON()` gives every attribute, defaults included.
"""

import re
from typing import Any

PMNode = dict[str, Any]

_CELL = {"colspan": 1, "rowspan": 1, "colwidth": None, "align": None}

# Node type → its attributes and their defaults.
NODES: dict[str, dict[str, Any]] = {
    "doc": {},
    "text": {},
    "paragraph": {},
    "heading": {"level": 1},
    "bulletList": {},
    "orderedList": {"start": 1, "type": None},
    "listItem": {},
    "taskList": {},
    "taskItem": {"checked": False},
    "blockquote": {},
    "codeBlock": {"language": None},
    "horizontalRule": {},
    "hardBreak": {},
    "pageBreak": {},
    "image": {"src": None, "alt": None, "title": None, "width": None, "height": None},
    "table": {},
    "tableRow": {},
    "tableHeader": dict(_CELL),
    "tableCell": dict(_CELL),
    "callout": {"kind": "info"},
    "mention": {"id": None, "label": None, "mentionSuggestionChar": "@"},
    "pageLink": {"id": None, "title": None},
}

# Nodes that sit in a line of text; every other node but `doc` is a block.
INLINE_NODES = frozenset({"text", "hardBreak", "mention", "pageLink"})
# Blocks whose content is a line of text (inline nodes).
TEXTBLOCKS = frozenset({"paragraph", "heading", "codeBlock"})
CALLOUT_KINDS = ("info", "warning", "success", "error")

# Mark type → its attributes and their defaults, in ProseMirror's rank order (TipTap sorts the
# extensions by priority: link's 1000 first, then the order StarterKit registers them); marks
# on a text node are listed in this order by getJSON().
MARKS: dict[str, dict[str, Any]] = {
    "link": {
        "href": None,
        "target": "_blank",
        "rel": "noopener noreferrer nofollow",
        "class": None,
        "title": None,
    },
    "bold": {},
    "code": {},
    "italic": {},
    "strike": {},
    "underline": {},
    "highlight": {},
}
MARK_RANK = {name: rank for rank, name in enumerate(MARKS)}

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(url: str) -> str:
    """The scheme of `url` as a browser would read it ('' for a relative URL)."""
    match = _SCHEME.match(_INVISIBLE.sub("", url))
    return match.group(1).lower() if match else ""


def safe_href(url: Any) -> str | None:
    """`url` when a link may point there (http, https, mailto or relative), else None."""
    if not isinstance(url, str) or not url.strip():
        return None
    return url.strip() if url_scheme(url) in ("", "http", "https", "mailto") else None


def safe_src(url: Any) -> str | None:
    """`url` when an image may load from there (http, https, relative, import placeholder)."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    scheme = url_scheme(url)
    if scheme in ("", "http", "https", "ensemble-import"):
        return url
    if scheme == "data" and re.match(r"data:image/(png|jpeg|gif|webp);base64,", url):
        return url
    return None


def node_attrs(node_type: str, given: dict[str, Any] | None) -> dict[str, Any]:
    """Every attribute of `node_type`: the given values over the defaults, unknown ones dropped."""
    attrs = dict(NODES[node_type])
    for key, value in (given or {}).items():
        if key in attrs:
            attrs[key] = value
    return attrs


def mark_attrs(mark_type: str, given: dict[str, Any] | None) -> dict[str, Any]:
    """Every attribute of `mark_type`: the given values over the defaults."""
    attrs = dict(MARKS[mark_type])
    for key, value in (given or {}).items():
        if key in attrs:
            attrs[key] = value
    return attrs


def make_node(
    node_type: str,
    attrs: dict[str, Any] | None = None,
    content: list[PMNode] | None = None,
) -> PMNode:
    """A node as ProseMirror's `toJSON()` writes it: attrs only for types that have some,
    content only when not empty."""
    node: PMNode = {"type": node_type}
    if NODES[node_type]:
        node["attrs"] = node_attrs(node_type, attrs)
    if content:
        node["content"] = content
    return node


def make_text(text: str, marks: list[dict[str, Any]] | None = None) -> PMNode:
    """A text node; its marks sorted in the schema's rank order, as ProseMirror keeps them."""
    node: PMNode = {"type": "text", "text": text}
    if marks:
        node["marks"] = sorted(marks, key=lambda mark: MARK_RANK[mark["type"]])
    return node


def make_mark(mark_type: str, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
    """A mark as ProseMirror's `toJSON()` writes it."""
    mark: dict[str, Any] = {"type": mark_type}
    if MARKS[mark_type]:
        mark["attrs"] = mark_attrs(mark_type, attrs)
    return mark
