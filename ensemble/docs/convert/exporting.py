"""Export: the document's HTML (`content.to_html(..., for_converter=True)`, images written as
files beside it) → pandoc → DOCX, with a Lua filter that turns our page breaks into Word page
breaks and a reference DOCX with ruled tables; ODT and PDF are that DOCX converted by
LibreOffice, so the three keep the same headings (Word's "Heading N" styles), lists, tables,
images, links and page breaks. Markdown is pandoc's GFM; HTML is a standalone page with its
images inlined.
"""

import base64
import functools
import io
import tempfile
import zipfile
from collections.abc import Callable
from html import escape
from pathlib import Path

from django.utils.translation import gettext as _

from .. import content
from ..content.schema import PMNode
from .run import ConversionError, run, soffice

EXPORT_FORMATS = ("pdf", "docx", "odt", "md", "html")

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


def export(document: PMNode, fmt: str, images: Images | None = None) -> bytes:
    """The document as a file of `fmt` (pdf, docx, odt, md or html).

    `images` gives the bytes of an image from its src (None when it cannot be read: the image
    is left out).
    """
    fmt = fmt.lower()
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
        result = soffice(docx, "pdf:writer_pdf_Export" if fmt == "pdf" else "odt")
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
        run(["pandoc", "-o", "reference.docx", "--print-default-data-file", "reference.docx"], work)
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
    run(command, work)
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
