"""The editor's schema as the server knows it: node and mark names with their default attributes.

Read from `ensemble/docs/schema.json`, which `npm run docs-schema` writes from
`frontend/src/docs/schema.ts` (ADR 0008: the schema lives in one place). Defaults matter because
y-prosemirror stores no attribute whose value is null, and TipTap's `getJSON()` gives every
attribute, defaults included; the order of the marks is ProseMirror's rank, in which `getJSON()`
lists a text's marks.
"""

import json
import re
from pathlib import Path
from typing import Any

PMNode = dict[str, Any]

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.json"
_SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _defaults(entry: dict[str, Any]) -> dict[str, Any]:
    return {attr["name"]: attr["default"] for attr in entry["attrs"]}


# Node type → its attributes and their defaults.
NODES: dict[str, dict[str, Any]] = {node["name"]: _defaults(node) for node in _SCHEMA["nodes"]}
# Nodes that sit in a line of text; every other node but the top one is a block.
INLINE_NODES = frozenset(node["name"] for node in _SCHEMA["nodes"] if node["inline"])
# Mark type → its attributes and their defaults, in the schema's (rank) order.
MARKS: dict[str, dict[str, Any]] = {mark["name"]: _defaults(mark) for mark in _SCHEMA["marks"]}
MARK_RANK = {name: rank for rank, name in enumerate(MARKS)}
CALLOUT_KINDS = ("info", "warning", "success", "error")
# The link mark as the editor renders it: TipTap's Link adds these to every <a>.
LINK_HTML_ATTRIBUTES = {"target": "_blank", "rel": "noopener noreferrer nofollow"}

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
