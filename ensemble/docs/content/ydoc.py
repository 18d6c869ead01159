"""The document as y-prosemirror keeps it in a `Y.XmlFragment`, read and written with pycrdt.

A node is an `XmlElement` named after its type, holding its attributes (y-prosemirror leaves out
those whose value is null); consecutive text nodes are one `XmlText` whose formatting
attributes are the marks (mark name → its attributes, `{}` when it has none). A mark that may
overlap itself is stored under `name--<hash>`: the suffix is dropped when reading.
"""

import json
import math
import re
from collections.abc import Iterable
from typing import Any, cast

from django.utils.translation import gettext as _
from pycrdt import XmlElement, XmlFragment, XmlText

from .schema import INLINE_NODES, MARKS, NODES, PMNode, make_mark, make_node, make_text, node_attrs

MAX_DEPTH = 100  # far deeper than any document the editor makes; bounds the recursion
_HASHED_MARK = re.compile(r"^(.*)--[a-zA-Z0-9+/=]{8}$")


def read(fragment: XmlFragment) -> PMNode:
    """The fragment's document as ProseMirror JSON, as TipTap's `getJSON()` gives it."""
    with fragment.doc.transaction():
        return make_node("doc", None, _read_children(fragment, 0))


def _plain(value: Any) -> Any:
    """Yrs hands numbers back as floats; JSON from the editor has integers where they are whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _read_children(parent: XmlFragment | XmlElement, depth: int) -> list[PMNode]:
    nodes: list[PMNode] = []
    if depth > MAX_DEPTH:
        return nodes  # an update forged that deep is not a document anyone can edit
    for child in parent.children:
        if isinstance(child, XmlText):
            for text in _read_text(child):
                last = nodes[-1] if nodes else None
                # ProseMirror joins adjacent text nodes with the same marks.
                if last and last["type"] == "text" and last.get("marks") == text.get("marks"):
                    last["text"] += text["text"]
                else:
                    nodes.append(text)
        elif isinstance(child, XmlElement):
            node = _read_element(child, depth)
            if node is not None:
                nodes.append(node)
    return nodes


def _read_element(element: XmlElement, depth: int) -> PMNode | None:
    node_type = element.tag
    # A type the schema does not know is dropped, as the editor would drop it.
    if node_type not in NODES or node_type in ("doc", "text"):
        return None
    # pycrdt types the view's __iter__ as an Iterable: iterate what it returns.
    attributes: Iterable[tuple[str, Any]] = element.attributes.__iter__()
    attrs = {key: _plain(value) for key, value in attributes}
    return make_node(node_type, attrs, _read_children(element, depth + 1))


def _read_text(text: XmlText) -> list[PMNode]:
    nodes = []
    for value, attributes in text.diff():
        if not isinstance(value, str) or not value:
            continue
        marks = []
        for key, attrs in (attributes or {}).items():
            match = _HASHED_MARK.match(key)
            name = match.group(1) if match else key
            if name in MARKS and attrs is not None:
                marks.append(make_mark(name, _plain(attrs) if isinstance(attrs, dict) else None))
        nodes.append(make_text(value, marks))
    return nodes


def write(fragment: XmlFragment, document: PMNode) -> None:
    """Make the fragment's content `document` (ProseMirror JSON) in one transaction, stored as
    y-prosemirror stores it, so that editors open it and see the change at once.

    Only the top-level blocks between the first and the last that differ are replaced: the
    blocks before and after stay the same Yjs items, so that what is anchored in them (the
    comments' relative positions, the cursors of those editing there) stays where it was.

    Raises ValueError for a node or mark type the schema does not know, before any change.
    """
    if document.get("type") != "doc":
        raise ValueError(_("The document's top node must be of type doc."))
    content = document.get("content") or []
    _check(content)
    with fragment.doc.transaction():
        old = read(fragment).get("content") or []
        if len(old) != len(fragment.children):  # text at the top (no editor writes it there)
            del fragment.children[0 : len(fragment.children)]
            old = []
        same_start = 0
        while same_start < min(len(old), len(content)) and old[same_start] == content[same_start]:
            same_start += 1
        same_end = 0
        while (
            same_end < min(len(old), len(content)) - same_start
            and old[len(old) - 1 - same_end] == content[len(content) - 1 - same_end]
        ):
            same_end += 1
        if len(old) - same_end > same_start:
            del fragment.children[same_start : len(old) - same_end]
        _write_children(
            cast(XmlFragment, _At(fragment, same_start)),
            content[same_start : len(content) - same_end],
        )


class _At:
    """A parent whose children.append() inserts at a position (and moves past what it put)."""

    def __init__(self, parent: XmlFragment, index: int) -> None:
        self.parent, self.index = parent, index

    @property
    def children(self) -> "_At":
        return self

    def append(self, item: Any) -> Any:
        made = self.parent.children.insert(self.index, item)
        self.index += 1
        return made


def _check(nodes: list[PMNode], depth: int = 0) -> None:
    """Refuse, with a sentence, what write() could not store as the editor stores it: any JSON
    may come from the API, and pycrdt fails on some values (an integer past 64 bits, a key that
    is not a string) with a panic that is no ValueError."""
    invalid = _("The document is not valid ProseMirror JSON.")
    if not isinstance(nodes, list) or depth > MAX_DEPTH:
        raise ValueError(invalid)
    for node in nodes:
        if not isinstance(node, dict) or not _is_attrs(node.get("attrs")):
            raise ValueError(invalid)
        node_type = node.get("type")
        if not isinstance(node_type, str) or node_type not in NODES or node_type == "doc":
            raise ValueError(_("Unknown node type: %(type)s.") % {"type": _shown(node_type)})
        marks = node.get("marks") or []
        if not isinstance(marks, list):
            raise ValueError(invalid)
        for mark in marks:
            if not isinstance(mark, dict) or not _is_attrs(mark.get("attrs")):
                raise ValueError(invalid)
            mark_type = mark.get("type")
            if not isinstance(mark_type, str) or mark_type not in MARKS:
                raise ValueError(_("Unknown mark type: %(type)s.") % {"type": _shown(mark_type)})
        if node_type == "text" and not isinstance(node.get("text"), str):
            raise ValueError(_("A text node must have a text."))
        if node_type == "text" and _SURROGATE.search(node["text"]):
            raise ValueError(invalid)
        _check(node.get("content") or [], depth + 1)


_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half of a pair, which UTF-8 cannot encode
_INT64 = range(-(2**63), 2**63)


def _is_attrs(attrs: Any) -> bool:
    """Whether `attrs` (absent, or a node's or a mark's attributes) can be stored: string keys,
    JSON values that Yrs holds (integers of 64 bits, finite numbers), not nested deep."""
    if not attrs:
        return True
    if not isinstance(attrs, dict):
        return False
    pending = [(attrs, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            if depth > 8 or not all(isinstance(key, str) for key in value):
                return False
            pending += [(key, depth + 1) for key in value]
            pending += [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            if depth > 8:
                return False
            pending += [(item, depth + 1) for item in value]
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                return False
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if value not in _INT64:
                return False
        elif isinstance(value, float):
            if not math.isfinite(value):
                return False  # JSON has no NaN: the document could not be read back
        else:
            return False
    return True


def _shown(value: Any) -> str:
    """A type as the error message names it: what a person typed, not a page of JSON."""
    if isinstance(value, list | dict):
        return "[…]" if isinstance(value, list) else "{…}"  # however deep it is nested
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _write_children(parent: XmlFragment | XmlElement, nodes: list[PMNode]) -> None:
    run: list[PMNode] = []
    for node in nodes:
        if node["type"] == "text":
            if node["text"]:
                run.append(node)
            continue
        if run:
            _write_text(parent, run)
            run = []
        _write_element(parent, node)
    if run:
        _write_text(parent, run)


def _write_text(parent: XmlFragment | XmlElement, run: list[PMNode]) -> None:
    text = parent.children.append(XmlText())
    for node in run:
        # Explicit attributes, {} for plain text, so that no mark spills over from the run before.
        attributes = {
            mark["type"]: {**MARKS[mark["type"]], **(mark.get("attrs") or {})}
            for mark in node.get("marks") or []
        }
        # Yrs counts the length in its own unit (UTF-16 for emoji): ask it, don't count here.
        text.insert(len(text), node["text"], attributes)


def _write_element(parent: XmlFragment | XmlElement, node: PMNode) -> None:
    node_type = node["type"]
    attrs = {
        key: value
        for key, value in node_attrs(node_type, node.get("attrs")).items()
        if value is not None
    }
    element = parent.children.append(XmlElement(node_type, attrs))
    if node_type not in INLINE_NODES or node.get("content"):
        _write_children(element, node.get("content") or [])
