"""HTML → ProseMirror JSON that follows the editor's schema.

The HTML is first cleaned by nh3 (scripts, styles and their text dropped, unknown tags unwrapped
to their text, attributes kept only where the schema reads them), then read into the schema's
nodes the way ProseMirror's DOMParser would: inline content outside a text block becomes a
paragraph, whitespace collapses, a list item starts with a paragraph, an image splits the
paragraph it sits in (images are blocks in the editor).
"""

import re
from html.parser import HTMLParser
from typing import Any

import nh3

from .schema import (
    CALLOUT_KINDS,
    PMNode,
    make_mark,
    make_node,
    make_text,
    safe_href,
    safe_src,
)

_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_CONTAINERS = {
    "div", "section", "article", "header", "footer", "main", "nav", "figure", "figcaption",
    "dl", "dt", "dd", "address", "details", "summary", "center", "caption", "body", "html",
    "thead", "tbody", "tfoot", "colgroup", "col", "label",
}  # fmt: skip
_BLOCKS = {
    "p", "ul", "ol", "li", "blockquote", "pre", "hr", "table", "tr", "th", "td", "aside", "img",
    *_HEADINGS, *_CONTAINERS,
}  # fmt: skip
_MARK_TAGS = {
    "strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline",
    "ins": "underline", "s": "strike", "del": "strike", "strike": "strike", "code": "code",
    "mark": "highlight", "kbd": "code", "tt": "code",
}  # fmt: skip
_INLINE_TAGS = {"a", "span", "br", "sub", "sup", "small", "big", "abbr", "cite", "q", "font"}
_CELL_ATTRS = {"colspan", "rowspan", "colwidth", "data-colwidth", "style"}
_ALLOWED = {
    "tags": _BLOCKS | set(_MARK_TAGS) | _INLINE_TAGS | {"input"},
    "clean_content_tags": {"script", "style", "title", "noscript", "template", "textarea"},
    "attributes": {
        "*": {"style"},
        "a": {"href", "title", "data-type", "data-page-link", "data-id"},
        "img": {"src", "alt", "title", "width", "height"},
        "ol": {"start", "type"},
        "ul": {"data-type"},
        "li": {"data-checked", "data-type"},
        "code": {"class"},
        "pre": {"class", "data-language"},
        "th": _CELL_ATTRS,
        "td": _CELL_ATTRS,
        "aside": {"data-callout"},
        "div": {"data-type", "data-kind", "data-page-break", "data-callout"},
        "span": {"data-mention", "data-type", "data-id", "data-label"},
        "input": {"type", "checked"},
    },
    "url_schemes": {"http", "https", "mailto", "data", "ensemble-import"},
    "filter_style_properties": {"page-break-before", "page-break-after", "break-before",
                                "break-after", "width"},
    "link_rel": None,
}  # fmt: skip
_SPACE = re.compile(r"[ \t\n\r\f]+")
_PAGE_BREAK = re.compile(r"(page-)?break-(before|after)\s*:\s*(always|page)", re.IGNORECASE)


class _Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Element | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    """nh3's output is well formed, so a stack is enough to rebuild its tree."""

    _VOID = frozenset({"br", "img", "hr", "input", "col", "wbr"})
    MAX_DEPTH = 100  # deeper elements hang from the last one kept: no recursion without end

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("body", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in self._VOID and len(self.stack) < self.MAX_DEPTH:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def sanitize(html: str) -> str:
    """The HTML with only what the schema can hold, nothing that runs or loads on its own."""
    return nh3.clean(html, **_ALLOWED)  # type: ignore[arg-type]


def from_html(html: str) -> PMNode:
    """The document that `html` describes, as ProseMirror JSON following the editor's schema."""
    builder = _TreeBuilder()
    builder.feed(sanitize(html))
    builder.close()
    return make_node("doc", None, _blocks(builder.root.children) or [make_node("paragraph")])


def _is_page_break(element: _Element) -> tuple[bool, bool]:
    """(break before, break after) as the element's data attribute or style asks."""
    if "data-page-break" in element.attrs or element.attrs.get("data-type") == "page-break":
        return False, True
    before = after = False
    for match in _PAGE_BREAK.finditer(element.attrs.get("style", "")):
        before |= match.group(2).lower() == "before"
        after |= match.group(2).lower() == "after"
    return before, after


def _blocks(children: list[_Element | str]) -> list[PMNode]:
    """Block nodes for a run of DOM nodes; loose inline content becomes paragraphs."""
    out: list[PMNode] = []
    pending: list[PMNode] = []
    for child in children:
        if isinstance(child, str) or child.tag not in _BLOCKS:
            pending.extend(_inlines(child, [], False))
            continue
        out.extend(_textblock("paragraph", None, pending, keep_empty=False))
        pending = []
        out.extend(_block(child))
    out.extend(_textblock("paragraph", None, pending, keep_empty=False))
    return out


def _block(element: _Element) -> list[PMNode]:
    tag = element.tag
    before, after = _is_page_break(element)
    if "data-page-break" in element.attrs or element.attrs.get("data-type") == "page-break":
        return [make_node("pageBreak")]
    out: list[PMNode] = [make_node("pageBreak")] if before else []
    if tag == "p":
        out.extend(_textblock("paragraph", None, _inline_children(element), keep_empty=True))
    elif tag in _HEADINGS:
        level = {"level": _HEADINGS[tag]}
        out.extend(_textblock("heading", level, _inline_children(element), keep_empty=True))
    elif tag in ("ul", "ol"):
        out.append(_list(element))
    elif tag == "li":
        out.append(make_node("listItem", None, _item_content(element.children)))
    elif tag == "blockquote":
        out.append(make_node("blockquote", None, _blocks(element.children) or [_empty()]))
    elif tag == "aside" or "data-callout" in element.attrs or _is(element, "callout"):
        kind = element.attrs.get("data-kind") or element.attrs.get("data-callout", "info")
        kind = kind if kind in CALLOUT_KINDS else "info"
        content = _blocks(element.children) or [_empty()]
        out.append(make_node("callout", {"kind": kind}, content))
    elif tag == "pre":
        out.append(_code_block(element))
    elif tag == "hr":
        out.append(make_node("horizontalRule"))
    elif tag == "img":
        out.extend(_inlines(element, [], False))
    elif tag == "table":
        rows = _rows(element)
        if rows:
            out.append(make_node("table", None, rows))
    elif tag in ("tr", "th", "td"):  # table parts outside a table: keep their text
        out.extend(_blocks(element.children))
    else:
        out.extend(_blocks(element.children))
    if after:
        out.append(make_node("pageBreak"))
    return out


def _is(element: _Element, data_type: str) -> bool:
    return element.attrs.get("data-type") == data_type


def _empty() -> PMNode:
    return make_node("paragraph")


def _item_content(children: list[_Element | str]) -> list[PMNode]:
    """A list item's content starts with a paragraph (schema: `paragraph block*`)."""
    content = _blocks(children)
    if not content or content[0]["type"] != "paragraph":
        content.insert(0, _empty())
    return content


def _checkbox(element: _Element) -> _Element | None:
    for child in element.children:
        if isinstance(child, _Element):
            if child.tag == "input" and child.attrs.get("type") == "checkbox":
                return child
            if child.tag in ("label", "p", "span"):
                found = _checkbox(child)
                if found is not None:
                    return found
        elif child.strip():
            return None
    return None


def _list(element: _Element) -> PMNode:
    items = [c for c in element.children if isinstance(c, _Element) and c.tag == "li"]
    is_task = element.attrs.get("data-type") == "taskList" or (
        element.tag == "ul" and bool(items) and all(_checkbox(item) for item in items)
    )
    content = []
    for child in element.children:
        if isinstance(child, str) or child.tag != "li":
            # Stray content inside a list: an item of its own, as the editor would make it.
            if isinstance(child, str) and not child.strip():
                continue
            blocks = _blocks([child])
            if blocks:
                content.append(make_node("taskItem" if is_task else "listItem", None, blocks))
            continue
        if is_task:
            box = _checkbox(child)
            checked = child.attrs.get("data-checked") == "true" or (
                box is not None and "checked" in box.attrs
            )
            content.append(
                make_node("taskItem", {"checked": checked}, _item_content(child.children))
            )
        else:
            content.append(make_node("listItem", None, _item_content(child.children)))
    if not content:
        content = [make_node("taskItem" if is_task else "listItem", None, [_empty()])]
    if is_task:
        return make_node("taskList", None, content)
    if element.tag == "ol":
        start = element.attrs.get("start", "1")
        attrs: dict[str, Any] = {"start": _bounded(start, 1, 1_000_000)}
        if element.attrs.get("type") in ("a", "A", "i", "I"):  # "1" is the default
            attrs["type"] = element.attrs["type"]
        return make_node("orderedList", attrs, content)
    return make_node("bulletList", None, content)


def _code_block(element: _Element) -> PMNode:
    language = element.attrs.get("data-language") or None
    for part in [element.attrs.get("class", "")] + [
        c.attrs.get("class", "") for c in element.children if isinstance(c, _Element)
    ]:
        for cls in part.split():
            if cls.startswith("language-") and len(cls) > len("language-"):
                language = cls[len("language-") :]
    text = _raw_text(element)  # kept whole, as the editor keeps it (a final newline too)
    return make_node("codeBlock", {"language": language}, [make_text(text)] if text else None)


def _raw_text(element: _Element) -> str:
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_raw_text(child))
    return "".join(parts)


def _rows(table: _Element) -> list[PMNode]:
    rows = []
    for child in table.children:
        if not isinstance(child, _Element):
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(_rows(child))
        elif child.tag == "tr":
            cells = [
                _cell(c)
                for c in child.children
                if isinstance(c, _Element) and c.tag in ("th", "td")
            ]
            if cells:
                rows.append(make_node("tableRow", None, cells))
    return rows


def _bounded(text: str, default: int, most: int) -> int:
    """A whole number written in HTML, from 1 to ``most`` (``default`` if it is none): a file
    may say anything, and a number past 64 bits cannot be stored."""
    digits = text.strip().lstrip("-")
    if not digits.isdigit() or len(digits) > 9 or int(digits) < 1:
        return default
    return min(int(digits), most)


def _cell(element: _Element) -> PMNode:
    attrs: dict[str, Any] = {}
    for name in ("colspan", "rowspan"):
        value = element.attrs.get(name, "1")
        attrs[name] = _bounded(value, 1, 1000)
    widths = element.attrs.get("colwidth") or element.attrs.get("data-colwidth", "")
    if widths and all(w.isdigit() and len(w) < 7 for w in widths.split(",")):  # pixels
        attrs["colwidth"] = [int(w) for w in widths.split(",")]
    node_type = "tableHeader" if element.tag == "th" else "tableCell"
    return make_node(node_type, attrs, _blocks(element.children) or [_empty()])


def _inline_children(element: _Element) -> list[PMNode]:
    nodes: list[PMNode] = []
    for child in element.children:
        nodes.extend(_inlines(child, [], False))
    return nodes


def _add_mark(marks: list[dict[str, Any]], mark: dict[str, Any]) -> list[dict[str, Any]]:
    if any(m["type"] == "code" for m in marks):
        return marks  # code excludes every other mark
    if mark["type"] == "code":
        return [mark]
    return [m for m in marks if m["type"] != mark["type"]] + [mark]


def _inlines(node: _Element | str, marks: list[dict[str, Any]], pre: bool) -> list[PMNode]:
    """Inline nodes (and images, split out later) for one DOM node under `marks`."""
    if isinstance(node, str):
        text = node if pre else _SPACE.sub(" ", node)
        return [make_text(text, list(marks))] if text else []
    tag, attrs = node.tag, node.attrs
    if tag == "br":
        return [make_node("hardBreak")]
    if tag == "img":
        src = safe_src(attrs.get("src"))
        if not src:
            return []
        image = {"src": src}
        for name in ("alt", "title"):
            if attrs.get(name):
                image[name] = attrs[name]
        return [make_node("image", image)]
    if tag == "input":
        return []
    if tag == "span" and ("data-mention" in attrs or attrs.get("data-type") == "mention"):
        label = attrs.get("data-label") or node.text().strip().removeprefix("@")
        return [make_node("mention", {"id": attrs.get("data-id") or None, "label": label})]
    if tag == "a" and ("data-page-link" in attrs or attrs.get("data-type") == "page-link"):
        page_link = {"id": attrs.get("data-id") or None, "title": node.text()}
        return [make_node("pageLink", page_link)]
    if tag == "a":
        href = safe_href(attrs.get("href"))
        if href:
            link_attrs = {"href": href}
            if attrs.get("title"):
                link_attrs["title"] = attrs["title"]
            marks = _add_mark(marks, make_mark("link", link_attrs))
    elif tag in _MARK_TAGS:
        marks = _add_mark(marks, make_mark(_MARK_TAGS[tag]))
    out: list[PMNode] = []
    for child in node.children:
        out.extend(_inlines(child, marks, pre))
    return out


def _textblock(
    node_type: str, attrs: dict[str, Any] | None, inlines: list[PMNode], keep_empty: bool
) -> list[PMNode]:
    """Text blocks of `node_type` around the images found among `inlines`, whitespace trimmed."""
    out: list[PMNode] = []
    line: list[PMNode] = []
    for node in [*inlines, None]:
        if node is not None and node["type"] != "image":
            line.append(node)
            continue
        content = _trim(line)
        if content or (keep_empty and not out and node is None):
            out.append(make_node(node_type, attrs, content))
        line = []
        if node is not None:
            out.append(node)
    return out


def _trim(nodes: list[PMNode]) -> list[PMNode]:
    """Collapse the spaces between inline nodes and drop those at the ends of the block."""
    out: list[PMNode] = []
    at_line_start = True
    for node in nodes:
        if node["type"] != "text":
            out.append(node)
            at_line_start = node["type"] == "hardBreak"
            continue
        text = node["text"]
        if at_line_start:
            text = text.lstrip(" ")
        if not text:
            continue
        at_line_start = text.endswith(" ")
        last = out[-1] if out else None
        if last and last["type"] == "text" and last.get("marks") == node.get("marks"):
            last["text"] += text
        else:
            out.append({**node, "text": text})
    # Trailing spaces before a hard break or at the end of the block are not shown either.
    for index, node in enumerate(out):
        following = out[index + 1] if index + 1 < len(out) else None
        if node["type"] == "text" and (following is None or following["type"] == "hardBreak"):
            node["text"] = node["text"].rstrip(" ")
    return [node for node in out if node["type"] != "text" or node["text"]]
