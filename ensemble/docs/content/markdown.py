"""Markdown in and out.

In: markdown-it-py (CommonMark with GFM tables and strikethrough) to HTML, then `from_html`;
GFM task items (`- [x] done`), which markdown-it-py's core does not know, are recognised on
the resulting lists. Out: our HTML through pandoc's GFM writer, which knows tables, task
lists and fenced code; what GFM cannot say (page breaks, callouts) stays as raw HTML.
"""

import re

from markdown_it import MarkdownIt

from .html_in import from_html
from .html_out import to_html
from .schema import PMNode, make_node

_TASK = re.compile(r"^\[([ xX])\]( |$)")
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def from_markdown(text: str) -> PMNode:
    """The document a Markdown text describes, as ProseMirror JSON."""
    document = from_html(_PARSER.render(text))
    _task_lists(document)
    return document


def to_markdown(document: PMNode) -> str:
    """The document as GitHub-flavoured Markdown (pandoc)."""
    from ..convert import pandoc  # the converters import this package: import them late

    html = to_html(document, for_converter=True).encode()
    return pandoc(html, "html-native_divs-native_spans", "gfm").decode()


def _task_marker(item: PMNode) -> re.Match[str] | None:
    content = item.get("content") or []
    first = content[0] if content else {}
    texts = first.get("content") or []
    if first.get("type") != "paragraph" or not texts or texts[0].get("type") != "text":
        return None
    return _TASK.match(texts[0]["text"])


def _task_lists(node: PMNode) -> None:
    """Turn bullet lists whose every item starts with `[ ]` or `[x]` into task lists."""
    for child in node.get("content") or []:
        _task_lists(child)
    if node.get("type") != "bulletList":
        return
    items = node.get("content") or []
    markers = [_task_marker(item) for item in items]
    if not items or not all(markers):
        return
    node["type"] = "taskList"
    tasks = []
    for item, marker in zip(items, markers, strict=True):
        if marker is None:  # all() above: never, but it tells the type checker
            return
        paragraph = item["content"][0]
        first = paragraph["content"][0]
        first["text"] = first["text"][marker.end() :]
        if not first["text"]:
            del paragraph["content"][0]
            if not paragraph["content"]:
                del paragraph["content"]
        checked = marker.group(1) in "xX"
        tasks.append(make_node("taskItem", {"checked": checked}, item["content"]))
    node["content"] = tasks
