"""Import and export with the real converters: files made by LibreOffice in the test, read
back by structure (the DOCX/ODT XML, pdftotext, pdfimages, a rendered page)."""

import base64
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from ensemble.docs import convert
from ensemble.docs.content.schema import make_mark, make_node, make_text
from ensemble.docs.convert import run as runner

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (convert.converters_installed() and shutil.which("pdftotext")),
        reason="pandoc, LibreOffice and poppler-utils are needed (scripts/system-packages.sh)",
    ),
]
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


@pytest.mark.parametrize("fmt", ["docx", "odt"])
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


def test_a_markdown_file_imports():
    imported = convert.import_file(
        b"# Title\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "md"
    )
    assert [b["type"] for b in imported.document["content"]] == ["heading", "taskList", "table"]
    assert imported.images == []


def test_an_html_file_imports_with_its_inline_images():
    image = base64.b64encode(png((3, 2), (0, 0, 0))).decode()
    html = f'<h2>T</h2><p><img src="data:image/png;base64,{image}" alt="dot"></p><script>x</script>'
    imported = convert.import_file(html.encode(), "html")
    assert imported.document["content"][1] == make_node(
        "image", {"src": "ensemble-import:image-1.png", "alt": "dot"}
    )
    assert Image.open(io.BytesIO(imported.images[0][1])).size == (3, 2)


def test_a_damaged_file_or_an_unknown_format_is_refused_with_a_sentence():
    with pytest.raises(convert.ConversionError, match="damaged or is not a DOCX file"):
        convert.import_file(b"not a zip", "docx")
    with pytest.raises(convert.ConversionError, match="cannot be imported"):
        convert.import_file(b"{}", "rtf")
    with pytest.raises(convert.ConversionError, match="cannot be exported"):
        convert.export(make_node("doc"), "rtf")


def test_a_converter_that_runs_too_long_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setattr(runner, "TIMEOUT", 0.5)
    with pytest.raises(convert.ConversionError, match="took too long"):
        runner.run(["sleep", "30"], tmp_path)


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


def test_html_export_is_a_standalone_page(exported):
    html = exported["html"].decode()
    assert html.startswith("<!DOCTYPE html>") and "<title>Report title</title>" in html
    assert "<h1>Report title</h1>" in html
    assert '<img src="data:image/png;base64,' in html and IMAGE_SRC not in html
    assert '<div data-type="page-break" class="ens-page-break"></div>' in html
    assert ".ens-page-break{break-after:page;page-break-after:always}" in html
    assert "<script" not in html


@pytest.mark.parametrize("fmt", ["docx", "odt"])
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
