"""The content of a document, on the server: the Yjs document the editor co-edits
(a `Y.XmlFragment` named "default", as y-prosemirror keeps it) and its readings as
ProseMirror JSON, HTML and Markdown, all held to the editor's schema (`schema.py`).

    read(fragment) -> dict            write(fragment, document) -> None
    to_html(document) -> str          from_html(html) -> dict
    to_markdown(document) -> str      from_markdown(text) -> dict
"""

from .html_in import from_html, sanitize
from .html_out import to_html
from .markdown import from_markdown, to_markdown
from .schema import MARKS, NODES
from .ydoc import read, write

FRAGMENT = "default"  # the name y-prosemirror (TipTap's Collaboration) gives the fragment

__all__ = [
    "FRAGMENT",
    "MARKS",
    "NODES",
    "from_html",
    "from_markdown",
    "read",
    "sanitize",
    "to_html",
    "to_markdown",
    "write",
]
