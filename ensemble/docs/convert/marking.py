"""Marking page breaks (and ODT header rows) in a DOCX's or ODT's XML before pandoc reads it.

The XML is read by expat, once, in linear time: a regular expression over the raw text was
cubic on a crafted file, and this runs in the worker itself, outside the converter's timeout.
expat reports where each element starts in the bytes; the marks are spliced into the original
bytes at those places, so that all the rest of the file stays byte for byte as it was (an
ElementTree would rename the namespace prefixes that `mc:Ignorable` names). A DTD is refused:
Word and LibreOffice never write one, and it is how entity expansion attacks come.
"""

import re
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main "
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0 "
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0 "

# The rest of a start tag from its '<': attribute values may hold '>'. Possessive, so that it
# cannot backtrack (expat has already checked that the tag is well formed).
_TAG = re.compile(rb"""<(?:[^"'>]|"[^"]*"|'[^']*')*+>""")
_PREFIX = re.compile(rb"<([^\s/>:]+):")
_TRUE = ("true", "1", "on")


class NotWellFormed(Exception):
    """The XML is not well formed, or has a DTD."""


@dataclass(slots=True)
class Element:
    """An element that a rewriter looks at: its name ('namespace name'), its attributes (named
    likewise), where it starts, where its start tag ends and (at its end) where its end tag
    starts and where it ends, in bytes; its parent if the rewriter looks at that too."""

    name: str
    attrs: dict[str, str]
    start: int
    tag_end: int
    parent: "Element | None"
    close: int = -1
    end: int = -1
    # What a rewriter notes on an element while its children are read.
    notes: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.tag_end == self.end


class Rewriter:
    """Walks the XML and collects edits (start, end, bytes) that replace xml[start:end]."""

    # The elements started() and ended() are called for ('namespace name'); the others are
    # only counted, which keeps the walk fast.
    names: frozenset[str] = frozenset()

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        self.edits: list[tuple[int, int, bytes]] = []

    def started(self, element: Element) -> None:
        """Called at an element's start tag (its `end` not known yet)."""

    def ended(self, element: Element) -> None:
        """Called at an element's end, its children all seen."""

    def finish(self) -> None:
        """Called once the whole XML is read."""

    def qname(self, element: Element, name: str) -> bytes:
        """`name` with the prefix `element` has, for an element put beside or inside it."""
        match = _PREFIX.match(self.xml, element.start)
        return match.group(1) + b":" + name.encode() if match else name.encode()

    def rewrite(self) -> bytes:
        """The XML with the edits made; raises NotWellFormed."""
        if self.xml.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self.xml  # UTF-16: left as it is, unmarked (Word writes UTF-8)
        if not self._walk():
            return self.xml  # another encoding (no writer we know uses one): left unmarked
        self.finish()
        out, at = [], 0
        # An insertion goes before what is replaced at the same place; an edit inside what an
        # edit before it replaced (only in a file that breaks the schema) is left out.
        for start, end, replacement in sorted(self.edits, key=lambda edit: edit[:2]):
            if start < at:
                continue
            out += [self.xml[at:start], replacement]
            at = end
        out.append(self.xml[at:])
        return b"".join(out)

    def _walk(self) -> bool:
        """Read the whole XML, calling started() and ended(); whether it is UTF-8."""
        parser = expat.ParserCreate(namespace_separator=" ")
        stack: list[Element | None] = []
        xml, names = self.xml, self.names
        encoding: list[str | None] = [None]

        def refuse(*_: object) -> NoReturn:
            raise NotWellFormed("a DTD")

        def declaration(_version: str, declared: str | None, _standalone: int) -> None:
            encoding[0] = declared

        def start(name: str, attrs: dict[str, str]) -> None:
            if name not in names:
                stack.append(None)
                return
            position = parser.CurrentByteIndex
            match = _TAG.match(xml, position)
            if match is None:  # expat read a tag that is not where it says: not rewritten
                raise NotWellFormed("a tag out of place")
            element = Element(name, attrs, position, match.end(), stack[-1] if stack else None)
            stack.append(element)
            self.started(element)

        def end(_name: str) -> None:
            element = stack.pop()
            if element is None:
                return
            if xml[element.tag_end - 2 : element.tag_end] == b"/>":
                element.close = element.end = element.tag_end
            else:  # expat's position is the end tag's '<'
                element.close = parser.CurrentByteIndex
                element.end = xml.index(b">", element.close) + 1
            self.ended(element)

        parser.XmlDeclHandler = declaration
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(xml, True)
        except expat.ExpatError as error:
            raise NotWellFormed(str(error)) from error
        # The names and words spliced in are UTF-8.
        return encoding[0] is None or encoding[0].lower() in ("utf-8", "utf8")


class DocxMarker(Rewriter):
    """A run of `marker` where a paragraph starts a new page, the marker in place of each page
    break; and no indentation of its own in a list paragraph (pandoc would read a quotation)."""

    names = frozenset(W + name for name in ("p", "pPr", "numPr", "ind", "pageBreakBefore", "br"))

    def __init__(self, xml: bytes, marker: str) -> None:
        super().__init__(xml)
        self.marker = marker.encode()

    def text(self, element: Element) -> bytes:
        t = self.qname(element, "t")
        return b"<" + t + b">" + self.marker + b"</" + t + b">"

    def ended(self, element: Element) -> None:
        parent, name = element.parent, element.name
        if name == W + "br":
            if element.attrs.get(W + "type") == "page":
                self.edits.append((element.start, element.end, self.text(element)))
        elif parent is not None and parent.name == W + "pPr":
            if name == W + "numPr":
                parent.notes.add("numbered")
            elif name == W + "ind":
                parent.spans.append((element.start, element.end))
            elif name == W + "pageBreakBefore" and element.attrs.get(W + "val", "on") in _TRUE:
                parent.notes.add("break")
        elif name == W + "pPr":
            if "numbered" in element.notes:
                self.edits += [(start, end, b"") for start, end in element.spans]
            if "break" in element.notes and parent is not None and parent.name == W + "p":
                r = self.qname(element, "r")
                run = b"<" + r + b">" + self.text(element) + b"</" + r + b">"
                self.edits.append((element.end, element.end, run))


class OdtMarker(Rewriter):
    """A paragraph of `marker` before (after) each paragraph whose style breaks the page before
    (after) it; LibreOffice writes these as automatic styles of content.xml. Header rows become
    plain rows whose paragraphs start with `header` (pandoc 2.17 drops header rows)."""

    names = frozenset(
        {TEXT + "p", TEXT + "h", TABLE + "table-header-rows"}
        | {STYLE + "style", STYLE + "paragraph-properties"}
    )

    def __init__(self, xml: bytes, marker: str, header: str) -> None:
        super().__init__(xml)
        self.marker, self.header = marker.encode(), header.encode()
        self.in_header_rows = 0
        self.breaks: dict[str, str] = {}  # style name → "before" or "after"
        # (style name, start, end, the qualified name of a paragraph beside it)
        self.paragraphs: list[tuple[str, int, int, bytes]] = []

    def started(self, element: Element) -> None:
        if element.name == TABLE + "table-header-rows":
            self.in_header_rows += 1

    def ended(self, element: Element) -> None:
        parent, name = element.parent, element.name
        if name == TABLE + "table-header-rows":
            self.in_header_rows -= 1
            self.edits += [(element.start, element.tag_end, b""), (element.close, element.end, b"")]
        elif name in (TEXT + "p", TEXT + "h"):
            if self.in_header_rows and element.empty:
                closing = b"</" + self.qname(element, name.rpartition(" ")[2]) + b">"
                self.edits.append((element.end - 2, element.end, b">" + self.header + closing))
            elif self.in_header_rows:
                self.edits.append((element.tag_end, element.tag_end, self.header))
            style = element.attrs.get(TEXT + "style-name")
            if style is not None:
                p = self.qname(element, "p")
                self.paragraphs.append((style, element.start, element.end, p))
        elif name == STYLE + "paragraph-properties" and parent is not None:
            if parent.name == STYLE + "style" and not parent.notes:  # the first one counts
                parent.notes.add("properties")
                if element.attrs.get(FO + "break-before") == "page":
                    parent.notes.add("before")
                elif element.attrs.get(FO + "break-after") == "page":
                    parent.notes.add("after")
        elif name == STYLE + "style" and STYLE + "name" in element.attrs:
            for where in ("before", "after"):
                if where in element.notes:
                    self.breaks[element.attrs[STYLE + "name"]] = where

    def finish(self) -> None:
        for style, start, end, p in self.paragraphs:
            where = self.breaks.get(style)
            if where is not None:
                at = start if where == "before" else end
                self.edits.append((at, at, b"<" + p + b">" + self.marker + b"</" + p + b">"))
