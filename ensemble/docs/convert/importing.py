"""Import: DOCX and ODT → pandoc → HTML (media extracted) → `content.from_html`; Markdown and
HTML straight to `content`. pandoc's readers drop page breaks (and 2.17's ODT reader drops
header rows), so those are first marked in the file's XML with words that cannot occur in it
(`marking`, with an XML parser, in linear time), and turned back into `pageBreak` nodes and
header cells after. Images come back as
(name, bytes) with the placeholder src `ensemble-import:<name>`, for the caller to store.
"""

import base64
import io
import json
import re
import secrets
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .. import content
from ..content.schema import PMNode, make_node
from .marking import DocxMarker, NotWellFormed, OdtMarker
from .run import ConversionError, run

IMPORT_FORMATS = ("docx", "odt", "md", "html")
MAX_UNPACKED = 200 * 1024 * 1024  # an imported DOCX or ODT unzipped may not be larger
# Its text (word/document.xml, content.xml) may not be larger: it is marked in the worker, in
# under a second for 10 MB of a real document, in about 3 s for 16 MB of page break after page
# break (a 300-page report holds a few MB).
MAX_MARKED = 16 * 1024 * 1024


@dataclass
class Imported:
    """An imported document: its ProseMirror JSON and the images it holds, whose src in the
    JSON is `ensemble-import:<name>`."""

    document: PMNode
    images: list[tuple[str, bytes]] = field(default_factory=list)


def import_file(data: bytes, fmt: str) -> Imported:
    """The document held in a file of `fmt` (docx, odt, md or html), with its images."""
    fmt = fmt.lower()
    if fmt not in IMPORT_FORMATS:
        raise ConversionError(_("Files of type %(format)s cannot be imported.") % {"format": fmt})
    if fmt == "md":
        return Imported(content.from_markdown(_decode(data)))
    if fmt == "html":
        return _import_html(_decode(data))
    nonce = secrets.token_hex(8)
    marker, header = f"ENSEMBLEPAGEBREAK{nonce}", f"ENSEMBLEHEADER{nonce}"
    with tempfile.TemporaryDirectory(prefix="ensemble-import-") as directory:
        work = Path(directory)
        source = work / f"input.{fmt}"
        source.write_bytes(_mark(data, fmt, marker, header))
        command = [
            "pandoc",
            "--sandbox",
            "-f",
            fmt,
            "-t",
            "html",
            "--extract-media=media",
            source.name,
        ]
        html = run(command, work).decode(errors="replace")
        imported = Imported(content.from_html(html))
        _collect_images(imported, work / "media")
    _split_page_breaks(imported.document, marker)
    _restore_header_cells(imported.document, header)
    return imported


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _import_html(html: str) -> Imported:
    """An HTML document; its data: images become import images like a DOCX's."""
    imported = Imported(content.from_html(html))
    for image in _nodes(imported.document, "image"):
        src = image["attrs"].get("src") or ""
        match = re.match(r"data:image/(png|jpeg|gif|webp);base64,(.*)$", src, re.DOTALL)
        if not match:
            continue
        try:
            data = base64.b64decode(match.group(2), validate=False)
        except ValueError:
            continue
        extension = {"jpeg": "jpg"}.get(match.group(1), match.group(1))
        name = f"image-{len(imported.images) + 1}.{extension}"
        imported.images.append((name, data))
        image["attrs"]["src"] = f"ensemble-import:{name}"
    return imported


def _nodes(node: PMNode, node_type: str) -> list[PMNode]:
    found = [node] if node.get("type") == node_type else []
    for child in node.get("content") or []:
        found.extend(_nodes(child, node_type))
    return found


def _collect_images(imported: Imported, media: Path) -> None:
    """Replace extracted media paths by placeholders and keep the files' bytes."""
    names: dict[str, str] = {}
    root = media.resolve()
    for image in _nodes(imported.document, "image"):
        src = image["attrs"].get("src") or ""
        path = (media.parent / src).resolve()
        if not path.is_file() or root not in path.parents:
            continue  # a link to elsewhere: kept as the document wrote it
        if src not in names:
            name = f"image-{len(names) + 1}{path.suffix.lower()}"
            names[src] = name
            imported.images.append((name, path.read_bytes()))
        image["attrs"]["src"] = f"ensemble-import:{names[src]}"


def _mark(data: bytes, fmt: str, marker: str, header: str) -> bytes:
    """The file with a word `marker` where it breaks the page, which pandoc keeps as text
    (and, in an ODT, `header` in the cells of header rows, which pandoc 2.17 would drop)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ConversionError(
            _("The file is damaged or is not a %(format)s file.") % {"format": fmt.upper()}
        ) from error
    part = "word/document.xml" if fmt == "docx" else "content.xml"
    if part not in archive.namelist():
        raise ConversionError(
            _("The file is damaged or is not a %(format)s file.") % {"format": fmt.upper()}
        )
    total = sum(info.file_size for info in archive.infolist())
    # The sizes are those the archive declares: zipfile reads no more than that of a file.
    if total > MAX_UNPACKED or archive.getinfo(part).file_size > MAX_MARKED:
        raise ConversionError(_("The file is too large to be converted."))
    try:
        xml = archive.read(part)
        rewriter = DocxMarker(xml, marker) if fmt == "docx" else OdtMarker(xml, marker, header)
        xml = rewriter.rewrite()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as rewritten:
            for info in archive.infolist():
                body = xml if info.filename == part else archive.read(info)
                # mimetype stays first and stored, as ODF requires
                compression = (
                    zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                )
                rewritten.writestr(info, body, compress_type=compression)
    # zipfile says RuntimeError for an encrypted file, NotImplementedError for an unknown
    # compression, EOFError for a truncated one.
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        RuntimeError,
        NotImplementedError,
        NotWellFormed,
    ) as error:
        raise ConversionError(
            _("The file is damaged or is not a %(format)s file.") % {"format": fmt.upper()}
        ) from error
    return out.getvalue()


def _split_page_breaks(node: PMNode, marker: str) -> None:
    """Replace the marker in text blocks by `pageBreak` nodes, splitting the block around it."""
    children = node.get("content")
    if not children:
        return
    result: list[PMNode] = []
    for child in children:
        if child.get("type") in ("paragraph", "heading") and _has_marker(child, marker):
            result.extend(_split_block(child, marker))
        else:
            _split_page_breaks(child, marker)
            result.append(child)
    node["content"] = result


def _restore_header_cells(node: PMNode, header: str) -> None:
    """Cells whose text holds `header` are header cells; the word itself goes."""
    for child in node.get("content") or []:
        if child.get("type") == "tableCell" and header in json.dumps(child):
            child["type"] = "tableHeader"
        _restore_header_cells(child, header)
        if child.get("type") == "text" and header in child["text"]:
            child["text"] = child["text"].replace(header, "")
    if node.get("content"):
        node["content"] = [c for c in node["content"] if c.get("type") != "text" or c["text"]]
        if not node["content"]:
            del node["content"]


def _has_marker(block: PMNode, marker: str) -> bool:
    return any(marker in str(n.get("text", "")) for n in block.get("content") or [])


def _split_block(block: PMNode, marker: str) -> list[PMNode]:
    pieces: list[list[PMNode]] = [[]]
    for inline in block.get("content") or []:
        if inline.get("type") != "text" or marker not in inline["text"]:
            pieces[-1].append(inline)
            continue
        parts = inline["text"].split(marker)
        for index, part in enumerate(parts):
            if index:
                pieces.append([])
            if part.strip():
                pieces[-1].append({**inline, "text": part})
    out: list[PMNode] = []
    for index, piece in enumerate(pieces):
        if index:
            out.append(make_node("pageBreak"))
        while piece and piece[0].get("type") == "hardBreak":
            piece.pop(0)
        if piece:
            out.append({**block, "content": piece})
    return out
