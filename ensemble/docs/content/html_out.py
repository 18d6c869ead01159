"""ProseMirror JSON → HTML, as the editor's `getHTML()` writes it (test_content holds the two
to the same string on schema.json's example document).

Everything that comes from the document is escaped; links keep only http, https, mailto and
relative addresses, images only what `safe_src` allows. With `for_converter`, the HTML is the
one pandoc reads best, for the exports.
"""

from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import quote

from .schema import (
    CALLOUT_KINDS,
    LINK_HTML_ATTRIBUTES,
    MARKS,
    NODES,
    PMNode,
    node_attrs,
    safe_href,
    safe_src,
)

ImageSrc = Callable[[str], str | None]

_MARK_TAGS = {
    "bold": "strong",
    "italic": "em",
    "underline": "u",
    "strike": "s",
    "code": "code",
    "highlight": "mark",
}
_SIMPLE_BLOCKS = {
    "paragraph": "p",
    "bulletList": "ul",
    "listItem": "li",
    "blockquote": "blockquote",
    "tableRow": "tr",
}
_CELL_MIN_WIDTH = 25  # TipTap's table option cellMinWidth, in its colgroup


def to_html(
    document: PMNode, image_src: ImageSrc | None = None, *, for_converter: bool = False
) -> str:
    """The document as an HTML fragment.

    `image_src`, when given, maps each image's src to the address to write (a local file for a
    converter), or None to leave the image out. `for_converter` writes what pandoc reads best
    instead of the editor's markup: a table's leading header row in `<thead>`, task items as
    ☐/☒ (pandoc's own task items), a list item's first paragraph without its `<p>` (tight
    lists), a mention as its text, no highlight (pandoc 2.17 writes none), no link target.
    """
    out: list[str] = []
    _Writer(out, image_src, for_converter).children(document.get("content") or [])
    return "".join(out)


def _text(value: Any) -> str:
    """Text escaped as the DOM serialises it: &, <, > and no-break spaces."""
    return escape(str(value), quote=False).replace("\xa0", "&nbsp;")


def _attr(name: str, value: Any) -> str:
    """An attribute as the DOM serialises it: &, " and no-break spaces escaped."""
    text = str(value).replace("&", "&amp;").replace('"', "&quot;").replace("\xa0", "&nbsp;")
    return f' {name}="{text}"'


def _link_href(mark: dict[str, Any]) -> str | None:
    return safe_href({**MARKS["link"], **(mark.get("attrs") or {})}.get("href"))


class _Writer:
    def __init__(self, out: list[str], image_src: ImageSrc | None, for_converter: bool) -> None:
        self.out = out
        self.image_src = image_src
        self.for_converter = for_converter

    def children(self, nodes: list[PMNode]) -> None:
        """Nodes one after the other; marks stay open across inline nodes that share them."""
        open_marks: list[dict[str, Any]] = []
        for node in nodes:
            if node.get("type") not in NODES:
                continue
            marks = [mark for mark in node.get("marks") or [] if mark.get("type") in MARKS]
            keep = 0
            while keep < min(len(open_marks), len(marks)) and open_marks[keep] == marks[keep]:
                keep += 1
            for mark in reversed(open_marks[keep:]):
                self.mark(mark, closing=True)
            for mark in marks[keep:]:
                self.mark(mark, closing=False)
            open_marks = open_marks[:keep] + marks[keep:]
            self.node(node)
        for mark in reversed(open_marks):
            self.mark(mark, closing=True)

    def mark(self, mark: dict[str, Any], closing: bool) -> None:
        mark_type = mark["type"]
        if self.for_converter and mark_type == "highlight":
            return
        if mark_type != "link":
            self.out.append(
                f"</{_MARK_TAGS[mark_type]}>" if closing else f"<{_MARK_TAGS[mark_type]}>"
            )
            return
        href = _link_href(mark)
        if href is None:
            return  # the text stays, without a link to where it may not go
        if closing:
            self.out.append("</a>")
            return
        attributes = {} if self.for_converter else dict(LINK_HTML_ATTRIBUTES)
        attributes["href"] = href
        self.out.append("<a" + "".join(_attr(k, v) for k, v in attributes.items()) + ">")

    def wrap(self, tag: str, node: PMNode, attrs: str = "") -> None:
        self.out.append(f"<{tag}{attrs}>")
        self.children(node.get("content") or [])
        self.out.append(f"</{tag}>")

    def node(self, node: PMNode) -> None:
        node_type = node["type"]
        attrs = node_attrs(node_type, node.get("attrs"))
        out = self.out
        if node_type == "text":
            out.append(_text(node.get("text", "")))
        elif self.for_converter and node_type in ("listItem", "taskItem", "table", "mention"):
            self.converter_node(node, attrs)
        elif node_type in _SIMPLE_BLOCKS:
            self.wrap(_SIMPLE_BLOCKS[node_type], node)
        elif node_type == "heading":
            level = attrs.get("level")
            self.wrap(f"h{level if level in (1, 2, 3, 4, 5, 6) else 1}", node)
        elif node_type == "orderedList":
            start = attrs.get("start")
            has_start = isinstance(start, int) and start != 1
            self.wrap("ol", node, _attr("start", start) if has_start else "")
        elif node_type == "taskList":
            self.wrap("ul", node, ' data-type="taskList"')
        elif node_type == "taskItem":
            checked = attrs.get("checked") is True
            out.append(f'<li data-checked="{str(checked).lower()}" data-type="taskItem">')
            checkbox = ' checked="checked"' if checked else ""
            out.append(f'<label><input type="checkbox"{checkbox}><span></span></label>')
            self.wrap("div", node)
            out.append("</li>")
        elif node_type == "codeBlock":
            language = attrs.get("language")
            cls = _attr("class", f"language-{language}") if language else ""
            out.append(f"<pre><code{cls}>")
            self.children(node.get("content") or [])
            out.append("</code></pre>")
        elif node_type == "horizontalRule":
            out.append("<hr>")
        elif node_type == "hardBreak":
            out.append("<br>")
        elif node_type == "pageBreak":
            out.append('<div data-type="page-break" class="ens-page-break"></div>')
        elif node_type == "image":
            self.image(attrs)
        elif node_type == "table":
            self.table(node)
        elif node_type in ("tableHeader", "tableCell"):
            self.cell(node, attrs)
        elif node_type == "callout":
            kind = attrs.get("kind") if attrs.get("kind") in CALLOUT_KINDS else "info"
            classes = f"ens-callout ens-callout--{kind}"
            markup = ' data-type="callout"' + _attr("class", classes) + _attr("data-kind", kind)
            self.wrap("div", node, markup)
        elif node_type == "mention":
            self.mention(attrs)
        elif node_type == "pageLink":
            page = str(attrs.get("id"))
            out.append('<a data-type="page-link"' + _attr("data-id", page))
            out.append(_attr("href", f"/docs/{quote(page, safe='-')}/") + ' class="ens-page-link">')
            out.append(_text(attrs.get("title") or page) + "</a>")

    def mention(self, attrs: dict[str, Any]) -> None:
        label = attrs.get("label")
        markup = '<span class="ens-mention" data-type="mention"'
        if attrs.get("id"):
            markup += _attr("data-id", attrs["id"])
        if label:
            markup += _attr("data-label", label)
        shown = label if label is not None else attrs.get("id")
        self.out.append(markup + ">" + _text(f"@{shown if shown is not None else ''}") + "</span>")

    def image(self, attrs: dict[str, Any]) -> None:
        src = safe_src(attrs.get("src"))
        if src and self.image_src is not None:
            src = self.image_src(src)
        if not src:
            return
        parts = [_attr("src", src)]
        for name, value in attrs.items():
            if name != "src" and value is not None:
                parts.append(_attr(name, value))
        self.out.append("<img" + "".join(parts) + ">")

    def table(self, node: PMNode) -> None:
        """TipTap's table: a colgroup from the first row's widths, and the table's width."""
        rows = node.get("content") or []
        cols, total, fixed = [], 0, True
        for cell in (rows[0].get("content") or []) if rows else []:
            attrs = node_attrs(cell["type"], cell.get("attrs"))
            widths = attrs.get("colwidth") or []
            for index in range(attrs.get("colspan") or 1):
                width = widths[index] if index < len(widths) else None
                if isinstance(width, int) and width:
                    cols.append(f'<col style="width: {max(width, _CELL_MIN_WIDTH)}px;">')
                    total += width
                else:
                    cols.append(f'<col style="min-width: {_CELL_MIN_WIDTH}px;">')
                    total += _CELL_MIN_WIDTH
                    fixed = False
        style = f"width: {total}px;" if fixed else f"min-width: {total}px;"
        self.out.append(f'<table style="{style}"><colgroup>{"".join(cols)}</colgroup><tbody>')
        self.children(rows)
        self.out.append("</tbody></table>")

    def cell(self, node: PMNode, attrs: dict[str, Any]) -> None:
        tag = "th" if node["type"] == "tableHeader" else "td"
        parts = [_attr("colspan", attrs.get("colspan")), _attr("rowspan", attrs.get("rowspan"))]
        if isinstance(attrs.get("colwidth"), list):
            parts.append(_attr("colwidth", ",".join(str(w) for w in attrs["colwidth"])))
        self.wrap(tag, node, "".join(parts))

    def converter_node(self, node: PMNode, attrs: dict[str, Any]) -> None:
        node_type, out = node["type"], self.out
        content = list(node.get("content") or [])
        if node_type == "mention":
            out.append(_text(f"@{attrs.get('label') or attrs.get('id') or ''}"))
        elif node_type == "table":
            head = 0
            while head < len(content) and all(
                cell.get("type") == "tableHeader" for cell in content[head].get("content") or []
            ):
                head += 1
            head = min(head, 1)  # pandoc's DOCX and ODT writers know one header row
            out.append("<table>")
            if head:
                out.append("<thead>")
                self.children(content[:head])
                out.append("</thead>")
            out.append("<tbody>")
            self.children(content[head:])
            out.append("</tbody></table>")
        else:
            out.append("<li>")
            first = content[0] if content else None
            if node_type == "taskItem":
                box = {
                    "type": "text",
                    "text": "\u2612 " if attrs.get("checked") is True else "\u2610 ",
                }
                if first is not None and first.get("type") == "paragraph":
                    first = {**first, "content": [box, *(first.get("content") or [])]}
                else:
                    self.node(box)
            if first is not None and first.get("type") == "paragraph":
                self.children(first.get("content") or [])
                content = content[1:]
            self.children(content)
            out.append("</li>")
