"""Import and export of documents with real converters: pandoc and LibreOffice (headless).

Export: the document's HTML (`content.to_html(..., for_converter=True)`, images written as
files beside it) → pandoc → DOCX, with a Lua filter that turns our page breaks into Word page
breaks; ODT and PDF are that DOCX converted by LibreOffice, so the three keep the same headings
(Word's "Heading N" styles), lists, tables, images, links and page breaks. Markdown is pandoc's
GFM; HTML is a standalone page with its images inlined.

Import: DOCX and ODT → pandoc → HTML (media extracted) → `content.from_html`. pandoc's readers
drop page breaks, so they are first marked in the file's XML with a word that cannot occur in
it and turned back into `pageBreak` nodes after. Images come back as (name, bytes) with the
placeholder src `ensemble-import:<name>` for the caller to store and replace.

Every converter runs without a shell, with a timeout, in a private temporary HOME (and
LibreOffice profile), and fails with `ConversionError` whose message a person can read.
"""

import base64
import functools
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from django.utils.translation import gettext as _

from . import content
from .content.schema import PMNode, make_node

EXPORT_FORMATS = ("pdf", "docx", "odt", "md", "html")
IMPORT_FORMATS = ("docx", "odt", "md", "html")
TIMEOUT = 120  # seconds for one converter run; a LibreOffice start alone takes a few
MAX_UNPACKED = 200 * 1024 * 1024  # an imported DOCX or ODT unzipped may not be larger

Images = Callable[[str], bytes | None]

# pandoc Lua filter: our page break (the editor's `<div class="ens-page-break">`) becomes a
# paragraph holding a Word page break; a callout keeps its content.
_DOCX_FILTER = """
function Div(el)
  if el.classes:includes('ens-page-break') then
    return pandoc.RawBlock('openxml', '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
  end
end
"""
_IMAGE_TYPES = {
    b"\x89PNG": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF8": ".gif",
    b"RIFF": ".webp",
    b"<svg": ".svg",
    b"<?xm": ".svg",
}
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}


class ConversionError(Exception):
    """A conversion failed; `str(error)` is a sentence for the person who asked for it."""


@dataclass
class Imported:
    """An imported document: its ProseMirror JSON and the images it holds, whose src in the
    JSON is `ensemble-import:<name>`."""

    document: PMNode
    images: list[tuple[str, bytes]] = field(default_factory=list)


def _run(command: list[str], cwd: Path, timeout: float | None = None) -> bytes:
    """Run a converter in its own process group (LibreOffice forks), HOME in `cwd`."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "TMPDIR": str(cwd),
    }
    try:
        process = subprocess.Popen(  # noqa: S603 (fixed programs, arguments as a list)
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as error:
        raise ConversionError(
            _("The converter %(name)s is not installed on the server.") % {"name": command[0]}
        ) from error
    try:
        stdout, stderr = process.communicate(timeout=timeout or TIMEOUT)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionError(_("The conversion took too long and was stopped.")) from error
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != 0:
        raise ConversionError(_("The file could not be converted.")) from RuntimeError(
            stderr.decode(errors="replace")[-2000:]
        )
    return stdout


def pandoc(data: bytes, source: str, target: str, *extra: str) -> bytes:
    """`data` converted by pandoc from `source` to `target` (text formats on stdout)."""
    with tempfile.TemporaryDirectory(prefix="ensemble-pandoc-") as directory:
        work = Path(directory)
        (work / "input").write_bytes(data)
        command = ["pandoc", "--sandbox", "-f", source, "-t", target, *extra, "input"]
        return _run(command, work)


def _soffice(source: Path, target: str) -> Path:
    """Convert `source` with LibreOffice into `target` (an extension) beside it."""
    work = source.parent
    profile = work / "lo-profile"
    outdir = work / "lo-out"
    command = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    _run(command, work)
    result = outdir / f"{source.stem}.{target.split(':')[0]}"
    if not result.is_file():
        raise ConversionError(_("The file could not be converted."))
    return result


# Export


def export(document: PMNode, fmt: str, images: Images | None = None) -> bytes:
    """The document as a file of `fmt` (pdf, docx, odt, md or html).

    `images` gives the bytes of an image from its src (None when it cannot be read: the image
    is left out).
    """
    if fmt not in EXPORT_FORMATS:
        raise ConversionError(_("Documents cannot be exported as %(format)s.") % {"format": fmt})
    if fmt == "md":
        return content.to_markdown(document).encode()
    if fmt == "html":
        return _standalone_html(document, images).encode()
    with tempfile.TemporaryDirectory(prefix="ensemble-export-") as directory:
        work = Path(directory)
        docx = _docx(document, images, work)
        if fmt == "docx":
            return docx.read_bytes()
        result = _soffice(docx, "pdf:writer_pdf_Export" if fmt == "pdf" else "odt")
        return result.read_bytes()


def _image_type(data: bytes) -> str | None:
    for magic, extension in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return extension
    return None


def _images_to(work: Path, images: Images | None) -> Callable[[str], str | None]:
    """An `image_src` for `to_html` that writes each image into `work` and names its file."""
    written: dict[str, str] = {}

    def local(src: str) -> str | None:
        if src in written:
            return written[src]
        data = images(src) if images is not None else None
        extension = _image_type(data) if data else None
        if not data or extension is None:
            return None
        name = f"image-{len(written) + 1}{extension}"
        (work / name).write_bytes(data)
        written[src] = name
        return name

    return local


_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
_TABLE_BORDERS = "<w:tblBorders>{}</w:tblBorders>".format(
    "".join(
        _BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
)


@functools.cache
def _reference_docx() -> bytes:
    """pandoc's own reference DOCX, with ruled tables and a bold header row (its default
    table style draws one line under the header, which reads badly on paper)."""
    with tempfile.TemporaryDirectory(prefix="ensemble-reference-") as directory:
        work = Path(directory)
        _run(
            ["pandoc", "-o", "reference.docx", "--print-default-data-file", "reference.docx"], work
        )
        source = zipfile.ZipFile(work / "reference.docx")
        styles = source.read("word/styles.xml").decode()
        start = styles.index('w:styleId="Table"')
        end = styles.index("</w:style>", start)
        table = styles[start:end]
        table = table.replace("</w:tblCellMar>", "</w:tblCellMar>" + _TABLE_BORDERS, 1)
        table = table.replace(
            "</w:tcPr>\n    </w:tblStylePr>", "</w:tcPr><w:rPr><w:b/></w:rPr></w:tblStylePr>"
        )
        styles = styles[:start] + table + styles[end:]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
            for info in source.infolist():
                body = styles.encode() if info.filename == "word/styles.xml" else source.read(info)
                patched.writestr(info, body)
        return out.getvalue()


def _docx(document: PMNode, images: Images | None, work: Path) -> Path:
    html = content.to_html(document, _images_to(work, images), for_converter=True)
    (work / "document.html").write_text(f"<!DOCTYPE html><html><body>{html}</body></html>")
    (work / "page-breaks.lua").write_text(_DOCX_FILTER)
    (work / "reference.docx").write_bytes(_reference_docx())
    command = [
        "pandoc",
        "-f",
        "html",
        "-t",
        "docx",
        "--lua-filter=page-breaks.lua",
        "--reference-doc=reference.docx",
        "--resource-path=.",
        "-o",
        "document.docx",
        "document.html",
    ]
    _run(command, work)
    return work / "document.docx"


def _standalone_html(document: PMNode, images: Images | None) -> str:
    def inline(src: str) -> str | None:
        data = images(src) if images is not None else None
        extension = _image_type(data) if data else None
        if not data or extension not in _MIME:
            return None
        return f"data:{_MIME[extension]};base64,{base64.b64encode(data).decode()}"

    title = _first_text(document) or _("Document")
    body = content.to_html(document, inline)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{max-width:50rem;margin:2rem auto;font-family:sans-serif}"
        "table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem}"
        "img{max-width:100%}.ens-callout{border-left:4px solid #6a6af4;padding:.5rem 1rem}"
        ".ens-page-break{break-after:page;page-break-after:always}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )


def _first_text(node: PMNode) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    for child in node.get("content") or []:
        text = _first_text(child)
        if text.strip():
            return text.strip()[:200]
    return ""


# Import


def import_file(data: bytes, fmt: str) -> Imported:
    """The document held in a file of `fmt` (docx, odt, md or html), with its images."""
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
        html = _run(command, work).decode(errors="replace")
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
    if total > MAX_UNPACKED:
        raise ConversionError(_("The file is too large to be converted."))
    xml = archive.read(part).decode("utf-8", errors="replace")
    xml = _mark_docx(xml, marker) if fmt == "docx" else _mark_odt(xml, marker, header)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rewritten:
        for info in archive.infolist():
            body = xml.encode() if info.filename == part else archive.read(info)
            # mimetype stays first and stored, as ODF requires
            compression = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            rewritten.writestr(info, body, compress_type=compression)
    return out.getvalue()


def _mark_docx(xml: str, marker: str) -> str:
    # A list paragraph's own indentation is the list's: pandoc would read it as a quotation.
    xml = re.sub(
        r"<w:pPr>(?:(?!</w:pPr>).)*?<w:numPr>.*?</w:pPr>",
        lambda m: re.sub(r"<w:ind\b[^>]*/>", "", m.group(0)),
        xml,
        flags=re.DOTALL,
    )
    text = f"<w:t>{marker}</w:t>"
    xml = re.sub(r'<w:br\s+w:type="page"\s*/>', text, xml)
    # A paragraph that starts on a new page: the marker as its first run.
    before = r'<w:pageBreakBefore(?:\s+w:val="(?:true|1|on)")?\s*/>'
    pattern = rf"(<w:pPr>(?:(?!</w:pPr>).)*?{before}(?:(?!</w:pPr>).)*?</w:pPr>)"
    return re.sub(pattern, rf"\1<w:r>{text}</w:r>", xml, flags=re.DOTALL)


def _mark_odt(xml: str, marker: str, header: str) -> str:
    """A paragraph of `marker` before (after) each paragraph whose style breaks the page
    before (after) it; LibreOffice writes these as automatic styles of content.xml. Header
    rows become ordinary rows whose paragraphs start with `header`."""

    def header_rows(match: re.Match[str]) -> str:
        rows = re.sub(r"<text:(p|h)\b([^>]*?)/>", rf"<text:\1\2>{header}</text:\1>", match.group(1))
        return re.sub(rf"<text:(p|h)\b([^>]*?)>(?!{header})", rf"<text:\1\2>{header}", rows)

    xml = re.sub(
        r"<table:table-header-rows>(.*?)</table:table-header-rows>",
        header_rows,
        xml,
        flags=re.DOTALL,
    )
    styles: dict[str, str] = {}
    for match in re.finditer(r"<style:style\b([^>]*?)(?:/>|>(.*?)</style:style>)", xml, re.DOTALL):
        named = re.search(r'style:name="([^"]+)"', match.group(1))
        props = re.search(r"<style:paragraph-properties\b[^>]*>", match.group(2) or "")
        if named is None or props is None:
            continue
        if 'fo:break-before="page"' in props.group(0):
            styles[named.group(1)] = "before"
        elif 'fo:break-after="page"' in props.group(0):
            styles[named.group(1)] = "after"
    paragraph = f"<text:p>{marker}</text:p>"
    for name, where in styles.items():
        # text:p and text:h do not nest (but for notes, which we accept to miss).
        element = (
            rf'<text:(p|h)\b[^>]*?text:style-name="{re.escape(name)}"[^>]*?(?:/>|>.*?</text:\1>)'
        )
        if where == "before":
            xml = re.sub(element, lambda m: paragraph + m.group(0), xml, flags=re.DOTALL)
        else:
            xml = re.sub(element, lambda m: m.group(0) + paragraph, xml, flags=re.DOTALL)
    return xml


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


def converters_installed() -> bool:
    """Whether pandoc and LibreOffice are on this machine (the tests skip without them)."""
    return shutil.which("pandoc") is not None and shutil.which("soffice") is not None
