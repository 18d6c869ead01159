"""ProseMirror JSON → semantic HTML, close to what the editor's `getHTML()` writes.

Everything that comes from the document is escaped; links keep only http, https, mailto and
relative addresses, images only what `safe_src` allows. This HTML is also what the converters
(pandoc, LibreOffice) read for the exports.
"""

from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import quote

from .schema import CALLOUT_KINDS, MARKS, NODES, PMNode, node_attrs, safe_href, safe_src

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


def to_html(
    document: PMNode, image_src: ImageSrc | None = None, *, for_converter: bool = False
) -> str:
    """The document as an HTML fragment.

    `image_src`, when given, maps each image's src to the address to write (a local file for a
    converter), or None to leave the image out. `for_converter` writes what pandoc reads best
    instead of the editor's markup: a table's leading header row in `<thead>`, task items as
    ☐/☒ (pandoc's own task items), a list item's lone paragraph without its `<p>` (tight
    lists), a mention as its text, no highlight (pandoc 2.17 writes none).
    """
    out: list[str] = []
    _Writer(out, image_src, for_converter).children(document.get("content") or [])
    return "".join(out)


def _attr(name: str, value: Any) -> str:
    return f' {name}="{escape(str(value), quote=True)}"'


class _Writer:
    def __init__(self, out: list[str], image_src: ImageSrc | None, for_converter: bool) -> None:
        self.out = out
        self.image_src = image_src
        self.for_converter = for_converter

    def children(self, nodes: list[PMNode]) -> None:
        """Blocks one after the other; inline content with its marks kept open across nodes."""
        open_marks: list[dict[str, Any]] = []
        for node in nodes:
            if node.get("type") not in NODES:
                continue
            marks = [mark for mark in node.get("marks") or [] if mark.get("type") in MARKS]
            keep = 0
            while keep < min(len(open_marks), len(marks)) and open_marks[keep] == marks[keep]:
                keep += 1
            for mark in reversed(open_marks[keep:]):
                self.close_mark(mark)
            for mark in marks[keep:]:
                self.open_mark(mark)
            open_marks = open_marks[:keep] + marks[keep:]
            self.node(node)
        for mark in reversed(open_marks):
            self.close_mark(mark)

    def open_mark(self, mark: dict[str, Any]) -> None:
        if mark["type"] == "link":
            attrs = {**MARKS["link"], **(mark.get("attrs") or {})}
            href = safe_href(attrs.get("href"))
            if href is None:
                return  # the text stays, without a link to where it may not go
            self.out.append("<a")
            names = ("title",) if self.for_converter else ("target", "rel", "class", "title")
            for name in names:
                if attrs.get(name):
                    self.out.append(_attr(name, attrs[name]))
            self.out.append(_attr("href", href) + ">")
        elif not (self.for_converter and mark["type"] == "highlight"):  # pandoc: no highlight
            self.out.append(f"<{_MARK_TAGS[mark['type']]}>")

    def close_mark(self, mark: dict[str, Any]) -> None:
        if self.for_converter and mark["type"] == "highlight":
            return
        if mark["type"] != "link":
            self.out.append(f"</{_MARK_TAGS[mark['type']]}>")
        elif safe_href({**MARKS["link"], **(mark.get("attrs") or {})}.get("href")):
            self.out.append("</a>")

    def wrap(self, tag: str, node: PMNode, attrs: str = "") -> None:
        self.out.append(f"<{tag}{attrs}>")
        self.children(node.get("content") or [])
        self.out.append(f"</{tag}>")

    def node(self, node: PMNode) -> None:
        node_type = node["type"]
        attrs = node_attrs(node_type, node.get("attrs"))
        out = self.out
        if node_type == "text":
            out.append(escape(str(node.get("text", "")), quote=False))
        elif self.for_converter and node_type in ("listItem", "taskItem", "table", "mention"):
            self.converter_node(node, attrs)
        elif node_type in _SIMPLE_BLOCKS:
            self.wrap(_SIMPLE_BLOCKS[node_type], node)
        elif node_type == "heading":
            level = attrs["level"] if attrs["level"] in (1, 2, 3, 4, 5, 6) else 1
            self.wrap(f"h{level}", node)
        elif node_type == "orderedList":
            start = attrs["start"]
            has_start = isinstance(start, int) and start != 1
            self.wrap("ol", node, _attr("start", start) if has_start else "")
        elif node_type == "taskList":
            self.wrap("ul", node, ' data-type="taskList"')
        elif node_type == "taskItem":
            checked = attrs["checked"] is True
            out.append(f'<li data-checked="{str(checked).lower()}" data-type="taskItem">')
            checkbox = ' checked="checked"' if checked else ""
            out.append(f'<label><input type="checkbox"{checkbox}><span></span></label>')
            self.wrap("div", node)
            out.append("</li>")
        elif node_type == "codeBlock":
            language = attrs["language"]
            cls = _attr("class", f"language-{language}") if language else ""
            out.append(f"<pre><code{cls}>")
            self.children(node.get("content") or [])
            out.append("</code></pre>")
        elif node_type == "horizontalRule":
            out.append("<hr>")
        elif node_type == "hardBreak":
            out.append("<br>")
        elif node_type == "pageBreak":
            out.append('<div data-page-break="" style="page-break-after: always"></div>')
        elif node_type == "image":
            self.image(attrs)
        elif node_type == "table":
            out.append("<table><tbody>")
            self.children(node.get("content") or [])
            out.append("</tbody></table>")
        elif node_type in ("tableHeader", "tableCell"):
            self.cell(node, attrs)
        elif node_type == "callout":
            kind = attrs["kind"] if attrs["kind"] in CALLOUT_KINDS else "info"
            self.wrap("aside", node, _attr("data-callout", kind))
        elif node_type == "mention":
            label = attrs["label"] or attrs["id"] or ""
            out.append('<span data-type="mention" data-mention=""')
            out.append(_attr("data-id", attrs["id"] or "") + _attr("data-label", label) + ">")
            out.append(escape(f"@{label}", quote=False) + "</span>")
        elif node_type == "pageLink":
            page = str(attrs["id"] or "")
            out.append('<a data-page-link=""' + _attr("data-id", page))
            out.append(_attr("href", f"/docs/{quote(page, safe='')}/") + ">")
            out.append(escape(str(attrs["title"] or page), quote=False) + "</a>")

    def converter_node(self, node: PMNode, attrs: dict[str, Any]) -> None:
        node_type, out = node["type"], self.out
        content = list(node.get("content") or [])
        if node_type == "mention":
            out.append(escape(f"@{attrs['label'] or attrs['id'] or ''}", quote=False))
        elif node_type == "table":
            out.append("<table>")
            rows = content
            head = 0
            while head < len(rows) and all(
                cell.get("type") == "tableHeader" for cell in rows[head].get("content") or []
            ):
                head += 1
            head = min(head, 1)  # pandoc's DOCX and ODT writers know one header row
            if head:
                out.append("<thead>")
                self.children(rows[:head])
                out.append("</thead>")
            out.append("<tbody>")
            self.children(rows[head:])
            out.append("</tbody></table>")
        else:
            out.append("<li>")
            first = content[0] if content else None
            if node_type == "taskItem":
                box = "\u2612 " if attrs["checked"] is True else "\u2610 "
                if first is not None and first.get("type") == "paragraph":
                    first = {
                        **first,
                        "content": [{"type": "text", "text": box}, *(first.get("content") or [])],
                    }
                    content[0] = first
                else:
                    out.append(box)
            if first is not None and first.get("type") == "paragraph":
                self.children(first.get("content") or [])
                content = content[1:]
            self.children(content)
            out.append("</li>")

    def image(self, attrs: dict[str, Any]) -> None:
        src = safe_src(attrs["src"])
        if src and self.image_src is not None:
            src = self.image_src(src)
        if not src:
            return
        parts = [_attr("src", src)]
        for name in ("alt", "title", "width", "height"):
            if attrs[name] is not None:
                parts.append(_attr(name, attrs[name]))
        self.out.append("<img" + "".join(parts) + ">")

    def cell(self, node: PMNode, attrs: dict[str, Any]) -> None:
        tag = "th" if node["type"] == "tableHeader" else "td"
        parts = [_attr("colspan", attrs["colspan"]), _attr("rowspan", attrs["rowspan"])]
        if isinstance(attrs["colwidth"], list):
            parts.append(_attr("data-colwidth", ",".join(str(w) for w in attrs["colwidth"])))
        self.wrap(tag, node, "".join(parts))
