"""Import and export with the real converters: files made by LibreOffice in the test, read
back by structure (the DOCX/ODT XML, pdftotext, pdfimages, a rendered page)."""

import base64
import io
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from xml.parsers import expat

import pytest
from django.conf import settings
from PIL import Image

from ensemble.docs import convert
from ensemble.docs.content.schema import make_mark, make_node, make_text
from ensemble.docs.convert import importing
from ensemble.docs.convert import run as runner

# The tests that run the converters; those of the marking before pandoc need none.
needs_converters = pytest.mark.skipif(
    not (convert.converters_installed() and shutil.which("pdftotext")),
    reason="pandoc, LibreOffice and poppler-utils are needed (scripts/system-packages.sh)",
)
needs_pandoc = pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is needed")
IMAGE_SRC = "/api/v1/docs/files/1/"
LINK = "https://example.org/page?a=1&b=2"


def png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def texts(node: dict) -> str:
    return node.get("text", "") + "".join(texts(child) for child in node.get("content") or [])


# Files made by LibreOffice, imported


SOURCE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>
<h1>Import heading</h1>
<p>Text with <a href="{link}">a link</a>.</p>
<ul><li>bullet one</li><li>bullet two</li></ul>
<ol><li>number one</li><li>number two</li></ol>
<table border="1"><tr><th>H1</th><th>H2</th></tr><tr><td>c1</td><td>c2</td></tr></table>
<p><img src="data:image/png;base64,{image}" alt="blue box" width="60" height="40"></p>
<p style="page-break-before: always">After break</p>
</body></html>"""


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory) -> dict[str, bytes]:
    """A DOCX and an ODT written by LibreOffice from one HTML page (image embedded)."""
    work = tmp_path_factory.mktemp("libreoffice")
    image = base64.b64encode(png((60, 40), (20, 120, 200))).decode()
    (work / "source.html").write_text(SOURCE.format(link=LINK.replace("&", "&amp;"), image=image))
    files = {}
    for fmt, target in (("docx", 'docx:"MS Word 2007 XML"'), ("odt", "odt")):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                target.replace('"', ""),
                "--outdir",
                str(work),
                str(work / "source.html"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={"HOME": str(work), "PATH": "/usr/bin:/bin"},
        )
        files[fmt] = (work / f"source.{fmt}").read_bytes()
    return files


@pytest.mark.slow
@needs_converters
@pytest.mark.parametrize("fmt", ["docx", "odt"])
@pytest.mark.slow
@needs_converters
def test_a_libreoffice_file_imports_with_its_structure(libreoffice_files, fmt):
    imported = convert.import_file(libreoffice_files[fmt], fmt)
    blocks = imported.document["content"]
    assert [block["type"] for block in blocks] == [
        "heading", "paragraph", "bulletList", "orderedList", "table", "image", "pageBreak",
        "paragraph",
    ]  # fmt: skip
    assert blocks[0] == make_node("heading", {"level": 1}, [make_text("Import heading")])
    link = blocks[1]["content"][1]
    assert link["text"] == "a link" and link["marks"] == [make_mark("link", {"href": LINK})]
    assert [texts(item) for item in blocks[2]["content"]] == ["bullet one", "bullet two"]
    assert [texts(item) for item in blocks[3]["content"]] == ["number one", "number two"]
    assert blocks[3]["attrs"]["start"] == 1
    rows = blocks[4]["content"]
    assert [[texts(cell) for cell in row["content"]] for row in rows] == [
        ["H1", "H2"],
        ["c1", "c2"],
    ]
    assert blocks[5]["attrs"]["src"] == "ensemble-import:image-1.png"
    [(name, data)] = imported.images
    assert name == "image-1.png"
    assert Image.open(io.BytesIO(data)).size == (60, 40)
    assert texts(blocks[7]) == "After break"


@pytest.mark.slow
@needs_converters
def test_a_markdown_file_imports():
    imported = convert.import_file(
        b"# Title\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "md"
    )
    assert [b["type"] for b in imported.document["content"]] == ["heading", "taskList", "table"]
    assert imported.images == []


@pytest.mark.slow
@needs_converters
def test_an_html_file_imports_with_its_inline_images():
    image = base64.b64encode(png((3, 2), (0, 0, 0))).decode()
    html = f'<h2>T</h2><p><img src="data:image/png;base64,{image}" alt="dot"></p><script>x</script>'
    imported = convert.import_file(html.encode(), "html")
    assert imported.document["content"][1] == make_node(
        "image", {"src": "ensemble-import:image-1.png", "alt": "dot"}
    )
    assert Image.open(io.BytesIO(imported.images[0][1])).size == (3, 2)


@pytest.mark.slow
@needs_converters
def test_a_damaged_file_or_an_unknown_format_is_refused_with_a_sentence():
    with pytest.raises(convert.ConversionError, match="damaged or is not a DOCX file"):
        convert.import_file(b"not a zip", "docx")
    with pytest.raises(convert.ConversionError, match="cannot be imported"):
        convert.import_file(b"{}", "rtf")
    with pytest.raises(convert.ConversionError, match="cannot be exported"):
        convert.export(make_node("doc"), "rtf")


@pytest.mark.slow
@needs_converters
def test_a_converter_that_runs_too_long_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setattr(runner, "TIMEOUT", 0.5)
    with pytest.raises(convert.ConversionError, match="took too long"):
        runner.run(["sleep", "30"], tmp_path)


# Page breaks and header rows marked before pandoc reads the file: by an XML parser, in linear
# time (regular expressions took minutes on a crafted file, in the worker, outside any timeout).

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}
ODF_NAMESPACES = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in ODF.items())
BREAK_BEFORE = (
    '<style:style style:name="P1" style:family="paragraph">'
    '<style:paragraph-properties fo:break-before="page"/></style:style>'
    '<style:style style:name="P2" style:family="paragraph">'
    '<style:paragraph-properties fo:break-after="page"/></style:style>'
)
MARKER, HEADER = "ENSEMBLEPAGEBREAKtest", "ENSEMBLEHEADERtest"


def docx_file(body: str, document: str | None = None) -> bytes:
    """The smallest DOCX pandoc reads, with `body` in its document's body."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            document
            or '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        )
    return out.getvalue()


def odt_file(styles: str, body: str, content: str | None = None) -> bytes:
    """The smallest ODT pandoc reads: `styles` as automatic styles, `body` as its text."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODF_NAMESPACES}/>',
        )
        archive.writestr(
            "content.xml",
            content
            or f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NAMESPACES}>'
            f"<office:automatic-styles>{styles}</office:automatic-styles>"
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>",
        )
    return out.getvalue()


def marked(data: bytes, fmt: str) -> str:
    """The XML part as pandoc will read it."""
    part = "word/document.xml" if fmt == "docx" else "content.xml"
    rewritten = importing._mark(data, fmt, MARKER, HEADER)
    return zipfile.ZipFile(io.BytesIO(rewritten)).read(part).decode()


def test_docx_page_breaks_and_list_indents_are_marked_and_the_rest_kept_as_it_was():
    body = (
        '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr><w:ind w:left="720"/></w:pPr>'
        '<w:r><w:t xml:space="preserve">a &amp; b </w:t><w:br w:type="page" /></w:r></w:p>'
        '<w:p><w:pPr><w:ind w:left="720"/><w:pageBreakBefore/></w:pPr><w:r><w:br/></w:r></w:p>'
        '<w:p><w:pPr><w:pageBreakBefore w:val="false"/></w:pPr></w:p>'
        "<!-- <w:br w:type='page'/> -->"
    )
    assert marked(docx_file(body), "docx") == (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>'
        '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr>'
        f'<w:r><w:t xml:space="preserve">a &amp; b </w:t><w:t>{MARKER}</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:ind w:left="720"/><w:pageBreakBefore/></w:pPr>'
        f"<w:r><w:t>{MARKER}</w:t></w:r><w:r><w:br/></w:r></w:p>"
        '<w:p><w:pPr><w:pageBreakBefore w:val="false"/></w:pPr></w:p>'
        "<!-- <w:br w:type='page'/> -->"
        "</w:body></w:document>"
    )
    # Another prefix for Word's namespace: the same marks, with that prefix.
    document = (
        f'<x:document xmlns:x="{W}"><x:body><x:p><x:pPr><x:pageBreakBefore x:val="1"/>'
        "</x:pPr></x:p></x:body></x:document>"
    )
    assert marked(docx_file("", document), "docx") == (
        f'<x:document xmlns:x="{W}"><x:body><x:p><x:pPr><x:pageBreakBefore x:val="1"/>'
        f"</x:pPr><x:r><x:t>{MARKER}</x:t></x:r></x:p></x:body></x:document>"
    )


def test_odt_page_breaks_and_header_rows_are_marked_and_the_rest_kept_as_it_was():
    body = (
        '<text:p text:style-name="P1">before<text:span>x</text:span></text:p>'
        '<text:h text:style-name="P2" text:outline-level="1">after</text:h>'
        '<text:p text:style-name="P3"/>'
        "<table:table><table:table-header-rows><table:table-row>"
        '<table:table-cell><text:p text:style-name="P3">H</text:p></table:table-cell>'
        "<table:table-cell><text:p/></table:table-cell>"
        "</table:table-row></table:table-header-rows>"
        "<table:table-row><table:table-cell><text:p>c</text:p></table:table-cell>"
        "</table:table-row></table:table>"
    )
    xml = marked(odt_file(BREAK_BEFORE, body), "odt")
    assert xml.split("<office:text>")[1].split("</office:text>")[0] == (
        f'<text:p>{MARKER}</text:p><text:p text:style-name="P1">before'
        "<text:span>x</text:span></text:p>"
        f'<text:h text:style-name="P2" text:outline-level="1">after</text:h>'
        f"<text:p>{MARKER}</text:p>"
        '<text:p text:style-name="P3"/>'
        "<table:table><table:table-row>"
        f'<table:table-cell><text:p text:style-name="P3">{HEADER}H</text:p></table:table-cell>'
        f"<table:table-cell><text:p>{HEADER}</text:p></table:table-cell>"
        "</table:table-row>"
        "<table:table-row><table:table-cell><text:p>c</text:p></table:table-cell>"
        "</table:table-row></table:table>"
    )
    assert xml.split("<office:text>")[0].endswith(
        BREAK_BEFORE + "</office:automatic-styles><office:body>"
    )


def test_marks_in_a_file_that_breaks_the_schema_leave_well_formed_xml():
    # A page break inside a list indentation; a paragraph right inside the header rows.
    docx = docx_file('<w:p><w:pPr><w:numPr/><w:ind><w:br w:type="page"/></w:ind></w:pPr></w:p>')
    assert "<w:pPr><w:numPr/></w:pPr>" in marked(docx, "docx")
    odt = odt_file(
        BREAK_BEFORE,
        '<table:table><table:table-header-rows><text:p text:style-name="P2"/>'
        "</table:table-header-rows></table:table>",
    )
    xml = marked(odt, "odt")
    expat.ParserCreate().Parse(xml, True)  # well formed
    assert f'<table:table><text:p text:style-name="P2">{HEADER}</text:p>' in xml
    assert f"<text:p>{MARKER}</text:p></table:table>" in xml


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        # The regular expressions were cubic here: 500 took 2.7 s, 1000 took 24.5 s.
        ("docx", docx_file("<!--" + "<w:pPr><w:numPr>" * 5000 + "-->")),
        ("docx", docx_file("", f'<w:document xmlns:w="{W}"><w:body>' + "<w:pPr><w:numPr>" * 5000)),
        # Quadratic here: 8000 took 7.5 s.
        ("odt", odt_file(BREAK_BEFORE, "<!--" + '<text:p text:style-name="P1">' * 40000 + "-->")),
        ("odt", odt_file(BREAK_BEFORE, '<text:p text:style-name="P1">' * 40000)),
    ],
    ids=["docx-comment", "docx-unclosed", "odt-comment", "odt-unclosed"],
)
def test_a_crafted_file_is_marked_or_refused_in_linear_time(fmt, data):
    started = time.monotonic()
    try:
        assert MARKER not in marked(data, fmt)  # in a comment: no page break
    except convert.ConversionError as error:
        assert str(error) == f"The file is damaged or is not a {fmt.upper()} file."
    assert time.monotonic() - started < 3  # the old code: about 45 min and 3 min


def test_many_page_breaks_are_marked_in_linear_time():
    breaks = '<w:p><w:r><w:t>a</w:t><w:br w:type="page"/></w:r></w:p>' * 20000
    started = time.monotonic()
    assert marked(docx_file(breaks), "docx").count(MARKER) == 20000
    paragraphs = '<text:p text:style-name="P1">a</text:p>' * 20000
    assert marked(odt_file(BREAK_BEFORE, paragraphs), "odt").count(MARKER) == 20000
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "document",
    [
        # Entities that expand a billion times, and one that reads a file of the server.
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        f']><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body>'
        "</w:document>",
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body>'
        "</w:document>",
        # Not XML at all, or not well formed.
        "not xml",
        f'<w:document xmlns:w="{W}"><w:body></w:document>',
        f'<w:document xmlns:w="{W}"><w:body>&undefined;</w:body></w:document>',
    ],
    ids=["entities", "external-entity", "not-xml", "unclosed", "undefined-entity"],
)
def test_a_dtd_or_xml_that_is_not_well_formed_is_refused(document):
    with pytest.raises(convert.ConversionError, match="damaged or is not a DOCX file"):
        convert.import_file(docx_file("", document), "docx")


def test_a_file_whose_text_is_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_MARKED", 1000)
    with pytest.raises(convert.ConversionError, match="too large to be converted"):
        convert.import_file(docx_file("<w:p/>" * 200), "docx")
    with pytest.raises(convert.ConversionError, match="too large to be converted"):
        convert.import_file(odt_file("", "<text:p/>" * 200), "odt")
    # A file below the limit is marked.
    assert MARKER in marked(docx_file('<w:p><w:r><w:br w:type="page"/></w:r></w:p>'), "docx")


@needs_pandoc
def test_a_handmade_docx_and_odt_import_with_their_page_breaks_and_header_rows():
    docx = docx_file(
        '<w:p><w:r><w:t>one</w:t><w:br w:type="page"/><w:t>two</w:t></w:r></w:p>'
        "<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>three</w:t></w:r></w:p>"
    )
    blocks = convert.import_file(docx, "docx").document["content"]
    assert [(block["type"], texts(block)) for block in blocks] == [
        ("paragraph", "one"), ("pageBreak", ""), ("paragraph", "two"), ("pageBreak", ""),
        ("paragraph", "three"),
    ]  # fmt: skip
    odt = odt_file(
        BREAK_BEFORE,
        '<text:p>one</text:p><text:p text:style-name="P1">two</text:p>'
        '<text:p text:style-name="P2">three</text:p><table:table><table:table-column/>'
        "<table:table-header-rows><table:table-row><table:table-cell><text:p>H</text:p>"
        "</table:table-cell></table:table-row></table:table-header-rows><table:table-row>"
        "<table:table-cell><text:p>c</text:p></table:table-cell></table:table-row></table:table>",
    )
    blocks = convert.import_file(odt, "odt").document["content"]
    assert [(block["type"], texts(block)) for block in blocks] == [
        ("paragraph", "one"), ("pageBreak", ""), ("paragraph", "two"), ("paragraph", "three"),
        ("pageBreak", ""), ("table", "Hc"),
    ]  # fmt: skip
    header, row = blocks[5]["content"]
    assert header["content"][0]["type"] == "tableHeader"
    assert row["content"][0]["type"] == "tableCell"


# A document exported


@pytest.fixture(scope="module")
def document() -> dict:
    p = lambda *inlines: make_node("paragraph", None, list(inlines))  # noqa: E731
    item = lambda node_type, text, **attrs: make_node(node_type, attrs, [p(make_text(text))])  # noqa: E731
    return make_node(
        "doc",
        None,
        [
            make_node("heading", {"level": 1}, [make_text("Report title")]),
            p(
                make_text("Intro with "),
                make_text("a link", [make_mark("link", {"href": LINK})]),
                make_text(" and "),
                make_text("bold", [make_mark("bold")]),
                make_text("."),
            ),
            make_node(
                "bulletList", None, [item("listItem", "first bullet"), item("listItem", "second")]
            ),
            make_node("orderedList", None, [item("listItem", "one"), item("listItem", "two")]),
            make_node(
                "taskList",
                None,
                [item("taskItem", "done task", checked=True), item("taskItem", "open task")],
            ),
            make_node(
                "table",
                None,
                [
                    make_node(
                        "tableRow",
                        None,
                        [item("tableHeader", "Name"), item("tableHeader", "Value")],
                    ),
                    make_node(
                        "tableRow", None, [item("tableCell", "alpha"), item("tableCell", "42")]
                    ),
                ],
            ),
            make_node("image", {"src": IMAGE_SRC, "alt": "red box"}),
            make_node("pageBreak"),
            make_node("heading", {"level": 2}, [make_text("Second page")]),
            p(make_text("After the break.")),
        ],
    )


@pytest.fixture(scope="module")
def exported(document) -> dict[str, bytes]:
    """One export per format, shared by the tests (each LibreOffice start costs seconds)."""
    image = png((120, 80), (200, 30, 30))
    return {
        fmt: convert.export(document, fmt, lambda src: image if src == IMAGE_SRC else None)
        for fmt in convert.EXPORT_FORMATS
    }


@pytest.mark.slow
@needs_converters
def test_docx_export_keeps_headings_lists_table_image_link_and_page_break(exported):
    archive = zipfile.ZipFile(io.BytesIO(exported["docx"]))
    xml = archive.read("word/document.xml").decode()
    rels = archive.read("word/_rels/document.xml.rels").decode()
    assert re.search(r'<w:pStyle w:val="Heading1" />.*?Report title', xml)
    assert re.search(r'<w:pStyle w:val="Heading2" />.*?Second page', xml)
    assert xml.count("<w:numPr>") == 6  # two bullets, two numbers, two tasks
    assert "☒ done task" in xml and "☐ open task" in xml
    assert "<w:tbl>" in xml and '<w:tblHeader w:val="true" />' in xml
    assert ">alpha<" in xml and ">42<" in xml
    assert "<w:drawing>" in xml and 'descr="red box"' in xml
    [media] = [name for name in archive.namelist() if name.startswith("word/media/")]
    assert Image.open(io.BytesIO(archive.read(media))).size == (120, 80)
    assert "<w:hyperlink" in xml and f'Target="{LINK.replace("&", "&amp;")}"' in rels
    assert '<w:br w:type="page"/>' in xml
    assert xml.index('<w:br w:type="page"/>') < xml.index("Second page")


@pytest.mark.slow
@needs_converters
def test_odt_export_keeps_headings_lists_table_image_link_and_page_break(exported):
    archive = zipfile.ZipFile(io.BytesIO(exported["odt"]))
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    xml = archive.read("content.xml").decode()
    assert re.search(
        r'<text:h text:style-name="Heading_20_1" text:outline-level="1">.*?Report title', xml
    )
    assert "<text:list " in xml and "<table:table " in xml and "<table:table-header-rows>" in xml
    assert "<draw:image" in xml
    [picture] = [name for name in archive.namelist() if name.startswith("Pictures/")]
    assert Image.open(io.BytesIO(archive.read(picture))).size == (120, 80)
    assert f'xlink:href="{LINK.replace("&", "&amp;")}"' in xml
    # The heading after the break has a style that starts a new page.
    style = re.search(r'<text:h text:style-name="([^"]+)"[^>]*>(?:<[^>]+>)*Second page', xml)
    assert style
    properties = '<style:paragraph-properties fo:break-before="page"'
    assert re.search(rf'<style:style style:name="{style.group(1)}"[^>]*>{properties}', xml)


@pytest.mark.slow
@needs_converters
def test_pdf_export_has_the_text_the_image_and_two_pages(exported, tmp_path):
    pdf = exported["pdf"]
    assert pdf.startswith(b"%PDF")
    (tmp_path / "out.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", "out.pdf", "-"], cwd=tmp_path, capture_output=True, check=True
    ).stdout.decode()
    for expected in ["Report title", "a link", "first bullet", "1. one", "☒ done task", "alpha"]:
        assert expected in text
    first, second = text.split("\f")[:2]
    assert "Second page" not in first and "Second page" in second
    images = subprocess.run(
        ["pdfimages", "-list", "out.pdf"], cwd=tmp_path, capture_output=True, check=True
    ).stdout.decode()
    rows = [line.split() for line in images.splitlines()[2:]]
    assert [(row[0], row[3], row[4]) for row in rows] == [("1", "120", "80")]
    # Page 1 as a picture, kept where a person can look at it.
    target = Path(settings.DATA_DIR) / "docs-export"
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "out.pdf", str(target / "page")],
        cwd=tmp_path,
        check=True,
    )
    page = Image.open(next(target.glob("page*1.png")))
    assert page.size[0] > 300
    # The red image is drawn on the page.
    assert any(pixel[:3] == (200, 30, 30) for pixel in page.convert("RGB").get_flattened_data())


@pytest.mark.slow
@needs_converters
def test_markdown_export(exported):
    markdown = exported["md"].decode()
    for expected in [
        "# Report title",
        f"[a link]({LINK})",
        "-   first bullet",
        "1.  one",
        "-   [x] done task",
        "| Name  | Value |",
        f"![red box]({IMAGE_SRC})",
        "## Second page",
    ]:
        assert expected in markdown, expected


@pytest.mark.slow
@needs_converters
def test_html_export_is_a_standalone_page(exported):
    html = exported["html"].decode()
    assert html.startswith("<!DOCTYPE html>") and "<title>Report title</title>" in html
    assert "<h1>Report title</h1>" in html
    assert '<img src="data:image/png;base64,' in html and IMAGE_SRC not in html
    assert '<div data-type="page-break" class="ens-page-break"></div>' in html
    assert ".ens-page-break{break-after:page;page-break-after:always}" in html
    assert "<script" not in html


@pytest.mark.slow
@needs_converters
@pytest.mark.parametrize("fmt", ["docx", "odt"])
@pytest.mark.slow
@needs_converters
def test_an_exported_file_imports_back_with_the_same_blocks(exported, document, fmt):
    imported = convert.import_file(exported[fmt], fmt)
    assert [b["type"] for b in imported.document["content"]] == [
        b["type"] for b in document["content"]
    ]
    assert [texts(b) for b in imported.document["content"]] == [
        texts(b) for b in document["content"]
    ]
    tasks = imported.document["content"][4]["content"]
    assert [task["attrs"]["checked"] for task in tasks] == [True, False]
    assert imported.document["content"][5]["content"][0]["content"][0]["type"] == "tableHeader"
    assert len(imported.images) == 1
