"""The document's content on the server: Yjs ⇄ ProseMirror JSON ⇄ HTML/Markdown."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from ensemble.docs import content
from ensemble.docs.content.schema import make_mark, make_node, make_text

SCHEMA_JSON = Path(__file__).resolve().parents[1] / "schema.json"
FRONTEND = Path(__file__).resolve().parents[3] / "frontend"
VITE_NODE = FRONTEND / "node_modules" / ".bin" / "vite-node"
LINK = make_mark("link", {"href": "https://example.org/a?b=1&c=2"})


def full_document() -> dict:
    """A document with every node and mark of the schema, written as getJSON() gives it."""
    p = lambda *inlines: make_node("paragraph", None, list(inlines))  # noqa: E731
    cell = lambda node_type, text, **attrs: make_node(node_type, attrs, [p(make_text(text))])  # noqa: E731
    return make_node(
        "doc",
        None,
        [
            make_node(
                "heading",
                {"level": 2},
                [make_text("Title "), make_text("bold", [make_mark("bold")])],
            ),
            p(
                make_text("plain "),
                make_text("b", [make_mark("bold")]),
                make_text("i", [make_mark("italic")]),
                make_text("u", [make_mark("underline")]),
                make_text("s", [make_mark("strike")]),
                make_text("code", [make_mark("code")]),
                make_text("hl", [make_mark("highlight")]),
                make_text("link", [LINK]),
                make_text("link bold", [LINK, make_mark("bold")]),
                make_node("hardBreak"),
                make_text('après 🎉 <tag> & "quotes" ', [make_mark("italic")]),
                make_node("mention", {"id": "42", "label": "Ann Martin"}),
                make_text(" see "),
                make_node("pageLink", {"id": "7f3c", "title": "Other page"}),
            ),
            make_node(
                "bulletList",
                None,
                [
                    make_node("listItem", None, [p(make_text("one"))]),
                    make_node(
                        "listItem",
                        None,
                        [
                            p(make_text("two")),
                            make_node(
                                "bulletList",
                                None,
                                [make_node("listItem", None, [p(make_text("nested"))])],
                            ),
                        ],
                    ),
                ],
            ),
            make_node(
                "orderedList", {"start": 3}, [make_node("listItem", None, [p(make_text("third"))])]
            ),
            make_node(
                "taskList",
                None,
                [
                    make_node("taskItem", {"checked": True}, [p(make_text("done"))]),
                    make_node("taskItem", {"checked": False}, [p(make_text("to do"))]),
                ],
            ),
            make_node("blockquote", None, [p(make_text("quoted"))]),
            make_node(
                "codeBlock", {"language": "python"}, [make_text("if a < b:\n    print('x')")]
            ),
            make_node("horizontalRule"),
            make_node("pageBreak"),
            make_node(
                "image", {"src": "/api/v1/docs/files/1/", "alt": "A chart", "title": "Chart"}
            ),
            make_node(
                "table",
                None,
                [
                    make_node(
                        "tableRow",
                        None,
                        [cell("tableHeader", "Name", colwidth=[120]), cell("tableHeader", "Value")],
                    ),
                    make_node("tableRow", None, [cell("tableCell", "wide", colspan=2)]),
                ],
            ),
            make_node("callout", {"kind": "warning"}, [p(make_text("careful"))]),
            make_node("paragraph"),
        ],
    )


def types_in(node: dict, found: tuple[set, set] | None = None) -> tuple[set, set]:
    nodes, marks = found if found else (set(), set())
    nodes.add(node["type"])
    marks.update(mark["type"] for mark in node.get("marks") or [])
    for child in node.get("content") or []:
        types_in(child, (nodes, marks))
    return nodes, marks


@pytest.fixture
def fragment() -> XmlFragment:
    return Doc().get(content.FRAGMENT, type=XmlFragment)


def test_the_full_document_holds_every_node_and_mark():
    nodes, marks = types_in(full_document())
    assert nodes == set(content.NODES)
    assert marks == set(content.MARKS)


def test_write_then_read_gives_the_same_document(fragment):
    document = full_document()
    content.write(fragment, document)
    assert content.read(fragment) == document


def test_the_document_survives_an_update_applied_to_another_doc(fragment):
    document = full_document()
    content.write(fragment, document)
    other = Doc()
    other.apply_update(fragment.doc.get_update())
    assert content.read(other.get(content.FRAGMENT, type=XmlFragment)) == document
    assert json.loads(json.dumps(content.read(fragment))) == document  # plain JSON, ints stay ints


def test_write_stores_nodes_and_marks_as_y_prosemirror_does(fragment):
    content.write(fragment, full_document())
    heading, paragraph = fragment.children[0], fragment.children[1]
    assert isinstance(heading, XmlElement) and heading.tag == "heading"
    assert heading.attributes["level"] == 2
    texts = [child for child in paragraph.children]
    assert [type(child).__name__ for child in texts] == [
        "XmlText", "XmlElement", "XmlText", "XmlElement", "XmlText", "XmlElement",
    ]  # fmt: skip
    assert [child.tag for child in texts if isinstance(child, XmlElement)] == [
        "hardBreak", "mention", "pageLink",
    ]  # fmt: skip
    runs = texts[0].diff()
    assert runs[0] == ("plain ", None)
    assert runs[1] == ("b", {"bold": {}})
    link = dict(runs[-1][1])
    assert link["bold"] == {}
    assert link["link"] == {"href": "https://example.org/a?b=1&c=2"}
    image = next(child for child in fragment.children if child.tag == "image")
    # y-prosemirror stores no attribute whose value is null
    assert dict(image.attributes) == {
        "src": "/api/v1/docs/files/1/",
        "alt": "A chart",
        "title": "Chart",
    }
    empty = fragment.children[len(fragment.children) - 1]
    assert empty.tag == "paragraph" and len(empty.children) == 0


def test_write_replaces_the_content_in_one_transaction(fragment):
    content.write(fragment, full_document())
    transactions = []
    subscription = fragment.doc.observe(lambda event: transactions.append(event.update))
    replacement = make_node("doc", None, [make_node("paragraph", None, [make_text("only this")])])
    content.write(fragment, replacement)
    fragment.doc.unobserve(subscription)
    assert len(transactions) == 1
    assert content.read(fragment) == replacement


def _text(text: object = "x", marks: object = None) -> dict:
    """A paragraph holding one text node, as the API may be given it."""
    node = {"type": "text", "text": text} | ({"marks": marks} if marks is not None else {})
    return make_node("paragraph", None, [node])


_DEEP: list = []
for _ in range(5000):
    _DEEP = [_DEEP]
# JSON of the wrong shape: types that cannot be looked up (a list or a dict), values Yrs cannot
# hold (a number past 64 bits, a key that is not a string, NaN, a lone surrogate), and so on.
BAD_NODES = {
    "node type list": {"type": []},
    "node type dict": {"type": {"a": 1}},
    "node type deep": {"type": _DEEP},
    "mark type dict": _text(marks=[{"type": {}}]),
    "mark type list": _text(marks=[{"type": ["bold"]}]),
    "marks not a list": _text(marks=5),
    "attrs not a dict": {"type": "heading", "attrs": [1]},
    "mark attrs not a dict": _text(marks=[{"type": "link", "attrs": "https://a.org"}]),
    "text not a string": _text(text=5),
    "text a list": _text(text=["x"]),
    "text a lone surrogate": _text(text="a\ud800"),
    "attr past 64 bits": {"type": "heading", "attrs": {"level": 2**63}},
    "attr below 64 bits": {"type": "heading", "attrs": {"level": -(2**63) - 1}},
    "mark attr past 64 bits": _text(marks=[{"type": "link", "attrs": {"href": [2**70]}}]),
    "mark attr key not a string": _text(marks=[{"type": "link", "attrs": {1: "x"}}]),
    "attr NaN": {"type": "heading", "attrs": {"level": float("nan")}},
    "attr nested deep": {"type": "heading", "attrs": {"level": _DEEP}},
}
BAD_NODE_SENTENCES = {
    "node type list": "Unknown node type: […].",
    "node type dict": "Unknown node type: {…}.",
    "node type deep": "Unknown node type: […].",
    "mark type dict": "Unknown mark type: {…}.",
    "mark type list": "Unknown mark type: […].",
    "text not a string": "A text node must have a text.",
    "text a list": "A text node must have a text.",
}


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "doc", "content": [{"type": "script"}]},
        {"type": "doc", "content": [{"type": "text", "text": "x", "marks": [{"type": "blink"}]}]},
        {"type": "paragraph"},
        {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text"}]}]},
        {"type": "doc", "content": "text"},
    ],
)  # fmt: skip
def test_write_refuses_what_the_schema_does_not_know_and_changes_nothing(fragment, bad):
    content.write(fragment, full_document())
    with pytest.raises(ValueError):
        content.write(fragment, bad)
    assert content.read(fragment) == full_document()


@pytest.mark.parametrize("name", BAD_NODES)
def test_write_refuses_json_of_the_wrong_shape_with_a_sentence(fragment, name):
    # Any JSON from the API: none of it may fail as anything but a ValueError (a 400).
    content.write(fragment, full_document())
    with pytest.raises(ValueError) as refused:
        content.write(fragment, {"type": "doc", "content": [BAD_NODES[name]]})
    assert str(refused.value) == BAD_NODE_SENTENCES.get(
        name, "The document is not valid ProseMirror JSON."
    )
    assert content.read(fragment) == full_document()


def test_write_refuses_a_document_nested_without_end(fragment):
    deep: dict = make_node("paragraph")
    for _ in range(1000):
        deep = make_node("blockquote", None, [deep])
    with pytest.raises(ValueError):
        content.write(fragment, make_node("doc", None, [deep]))


def test_read_stops_at_a_depth_no_editor_makes(fragment):
    with fragment.doc.transaction():
        parent = fragment
        for _ in range(1000):
            parent = parent.children.append(XmlElement("blockquote"))
    document = content.read(fragment)
    depth = 0
    while document.get("content"):
        document, depth = document["content"][0], depth + 1
    assert 100 < depth < 110


def test_read_fills_the_defaults_and_reads_hashed_and_unknown_marks(fragment):
    with fragment.doc.transaction():
        item = fragment.children.append(XmlElement("taskItem"))
        paragraph = item.children.append(XmlElement("paragraph"))
        text = paragraph.children.append(XmlText())
        text.insert(0, "🎉 a", {"highlight--abcdEFGH": {}})
        text.insert(len(text), "b", {"comment": {"id": 1}})
        fragment.children.append(XmlElement("unknownWidget"))
        fragment.children.append(XmlElement("heading", {"level": 3.0}))
    assert content.read(fragment) == make_node(
        "doc",
        None,
        [
            make_node(
                "taskItem",
                {"checked": False},
                [
                    make_node(
                        "paragraph",
                        None,
                        [make_text("🎉 a", [make_mark("highlight")]), make_text("b")],
                    )
                ],
            ),
            make_node("heading", {"level": 3}),
        ],
    )


def test_an_empty_fragment_reads_as_an_empty_doc(fragment):
    assert content.read(fragment) == {"type": "doc"}


# HTML out


def test_to_html_writes_what_the_editor_writes():
    """schema.json carries an example document and the editor's getHTML() of it (ADR 0008)."""
    example = json.loads(SCHEMA_JSON.read_text())["example"]
    assert content.to_html(example["json"]) == example["html"]


def test_to_html_writes_semantic_html_for_every_node():
    html = content.to_html(full_document())
    for expected in [
        "<h2>Title <strong>bold</strong></h2>",
        "<strong>b</strong><em>i</em><u>u</u><s>s</s><code>code</code><mark>hl</mark>",
        '<a target="_blank" rel="noopener noreferrer nofollow" '
        'href="https://example.org/a?b=1&amp;c=2">link<strong>link bold</strong></a>',
        "<br>",
        'après 🎉 &lt;tag&gt; &amp; "quotes" ',
        '<span class="ens-mention" data-type="mention" data-id="42" data-label="Ann Martin">'
        "@Ann Martin</span>",
        '<a data-type="page-link" data-id="7f3c" href="/docs/7f3c/" class="ens-page-link">'
        "Other page</a>",
        "<ul><li><p>one</p></li><li><p>two</p><ul><li><p>nested</p></li></ul></li></ul>",
        '<ol start="3"><li><p>third</p></li></ol>',
        '<ul data-type="taskList"><li data-checked="true" data-type="taskItem">',
        '<li data-checked="false" data-type="taskItem">',
        "<blockquote><p>quoted</p></blockquote>",
        "<pre><code class=\"language-python\">if a &lt; b:\n    print('x')</code></pre>",
        "<hr>",
        '<div data-type="page-break" class="ens-page-break"></div>',
        '<img src="/api/v1/docs/files/1/" alt="A chart" title="Chart">',
        '<table style="min-width: 145px;"><colgroup><col style="width: 120px;">'
        '<col style="min-width: 25px;"></colgroup><tbody>'
        '<tr><th colspan="1" rowspan="1" colwidth="120"><p>Name</p></th>',
        '<td colspan="2" rowspan="1"><p>wide</p></td>',
        '<div data-type="callout" class="ens-callout ens-callout--warning" data-kind="warning">'
        "<p>careful</p></div>",
        "<p></p>",
    ]:
        assert expected in html


def test_to_html_escapes_and_drops_dangerous_addresses():
    evil = make_mark("link", {"href": "java\tscript:alert(1)"})
    document = make_node(
        "doc",
        None,
        [
            make_node("paragraph", None, [make_text("<script>alert(1)</script>", [evil])]),
            make_node("image", {"src": "javascript:alert(1)", "alt": '"><script>'}),
            make_node("image", {"src": "/ok.png", "alt": '"><script>x</script>'}),
            make_node("callout", {"kind": '"><script>'}, [make_node("paragraph")]),
            make_node("paragraph", None, [make_node("mention", {"id": '"x', "label": "<b>"})]),
        ],
    )
    html = content.to_html(document)
    assert "<script>alert" not in html
    assert "javascript" not in html
    assert "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="/ok.png" alt="&quot;><script>x</script>">' in html  # as the DOM does
    assert 'class="ens-callout ens-callout--info" data-kind="info">' in html
    assert 'data-id="&quot;x"' in html and 'data-label="<b>">@&lt;b&gt;' in html


# HTML in


def test_from_html_reads_the_editors_html_into_the_editors_json():
    example = json.loads(SCHEMA_JSON.read_text())["example"]
    assert content.from_html(example["html"]) == example["json"]


def test_from_html_reads_the_other_spellings_of_our_nodes():
    document = content.from_html(
        '<aside data-callout="error"><p>x</p></aside><p><span data-mention data-id="1">@Ann</span>'
        '<a data-page-link data-id="p1" href="/docs/p1/">Page</a></p>'
        '<div data-page-break style="page-break-after: always"></div>'
    )
    assert document["content"] == [
        make_node("callout", {"kind": "error"}, [make_node("paragraph", None, [make_text("x")])]),
        make_node(
            "paragraph",
            None,
            [
                make_node("mention", {"id": "1", "label": "Ann"}),
                make_node("pageLink", {"id": "p1", "title": "Page"}),
            ],
        ),
        make_node("pageBreak"),
    ]


def test_from_html_reads_back_what_to_html_writes():
    document = full_document()
    assert content.from_html(content.to_html(document)) == document


def test_from_html_drops_scripts_styles_handlers_and_dangerous_links():
    document = content.from_html(
        "<style>p{color:red}</style><script>alert(1)</script>"
        '<p onclick="alert(1)">Hello <a href="javascript:alert(1)">click</a> '
        '<a href="mailto:a@example.org">mail</a> <a href="/docs/">rel</a>'
        '<img src="x" onerror="alert(1)"><img src="javascript:alert(1)"></p>'
        "<custom-tag>unknown <blink>tags</blink> keep text</custom-tag>"
    )
    text = json.dumps(document)
    assert "alert" not in text and "color" not in text
    paragraph = document["content"][0]
    assert [node.get("text") for node in paragraph["content"]] == [
        "Hello click ",
        "mail",
        " ",
        "rel",
    ]
    hrefs = [
        node["marks"][0]["attrs"]["href"] for node in paragraph["content"] if node.get("marks")
    ]
    assert hrefs == ["mailto:a@example.org", "/docs/"]
    assert document["content"][1] == make_node("image", {"src": "x"})
    assert document["content"][2] == make_node(
        "paragraph", None, [make_text("unknown tags keep text")]
    )


def test_from_html_reads_html_nested_without_end():
    document = content.from_html("<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000)
    # Past the depth kept, elements hang flat: the text stays, the structure need not.
    assert make_node("paragraph", None, [make_text("deep")]) in document["content"]


def test_from_html_follows_the_schema():
    document = content.from_html(
        "loose text<ul><li>item <b>bold</b><ol start='2'><li>sub</li></ol></li></ul>"
        "<ul><li><input type='checkbox' checked> yes</li><li><input type='checkbox'> no</li></ul>"
        "<table><tr><th>h</th></tr><tr><td rowspan='2'>c</td></tr></table>"
        "<p>a<br>b <img src='https://example.org/i.png' alt='i'> c</p>"
        "<h3 style='page-break-before: always'>Next</h3><blockquote>q</blockquote><pre>x  y\n</pre>"
    )
    types = [node["type"] for node in document["content"]]
    assert types == [
        "paragraph", "bulletList", "taskList", "table", "paragraph", "image", "paragraph",
        "pageBreak", "heading", "blockquote", "codeBlock",
    ]  # fmt: skip
    item = document["content"][1]["content"][0]
    assert item["content"][0] == make_node(
        "paragraph", None, [make_text("item "), make_text("bold", [make_mark("bold")])]
    )
    assert item["content"][1]["attrs"] == {"start": 2}
    tasks = document["content"][2]["content"]
    assert [task["attrs"]["checked"] for task in tasks] == [True, False]
    assert tasks[0]["content"] == [make_node("paragraph", None, [make_text("yes")])]
    rows = document["content"][3]["content"]
    assert rows[0]["content"][0]["type"] == "tableHeader"
    assert rows[1]["content"][0]["attrs"]["rowspan"] == 2
    assert document["content"][4]["content"][1] == make_node("hardBreak")
    assert document["content"][8]["attrs"]["level"] == 3
    assert document["content"][10]["content"] == [make_text("x  y\n")]


# Markdown


def test_from_markdown_reads_gfm():
    document = content.from_markdown(
        "# Title\n\nSome *em* and **strong** and ~~gone~~ and `code` and [a link](https://example.org).\n\n"
        "- one\n- two\n\n3. three\n4. four\n\n- [x] done\n- [ ] to do\n\n"
        "| A | B |\n|---|---|\n| 1 | 2 |\n\n> quote\n\n```python\nprint(1)\n```\n\n---\n\n"
        "<script>alert(1)</script>\n"
    )
    types = [node["type"] for node in document["content"]]
    assert types == [
        "heading", "paragraph", "bulletList", "orderedList", "taskList", "table", "blockquote",
        "codeBlock", "horizontalRule",
    ]  # fmt: skip
    marks = [
        node["marks"][0]["type"] for node in document["content"][1]["content"] if node.get("marks")
    ]
    assert marks == ["italic", "bold", "strike", "code", "link"]
    assert document["content"][3]["attrs"]["start"] == 3
    tasks = document["content"][4]["content"]
    assert [(t["attrs"]["checked"], t["content"][0]["content"][0]["text"]) for t in tasks] == [
        (True, "done"),
        (False, "to do"),
    ]
    assert document["content"][5]["content"][0]["content"][0]["type"] == "tableHeader"
    assert document["content"][7]["attrs"]["language"] == "python"
    assert "alert" not in json.dumps(document)


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_to_markdown_writes_gfm():
    markdown = content.to_markdown(full_document())
    for expected in [
        "## Title **bold**",
        "**b***i*",
        "~~s~~`code`",
        "`code`hl[link**link\nbold**](https://example.org/a?b=1&c=2)",
        "@Ann Martin",
        "-   one",
        "    -   nested",
        "3.  third",
        "-   [x] done",
        "-   [ ] to do",
        "> quoted",
        "``` python",
        "![A chart](/api/v1/docs/files/1/",
        "| Name | Value |",
    ]:
        assert expected in markdown, expected
    again = content.from_markdown(markdown)
    assert [node["type"] for node in again["content"]][:6] == [
        "heading", "paragraph", "bulletList", "orderedList", "taskList", "blockquote",
    ]  # fmt: skip


# The editor's schema

# What this server was written to render and read: a node or mark added to the editor's schema
# (or one removed) fails here until html_out, html_in and the tests above know it.
SERVER_NODES = {
    "doc", "text", "paragraph", "heading", "bulletList", "orderedList", "listItem", "taskList",
    "taskItem", "blockquote", "codeBlock", "horizontalRule", "hardBreak", "pageBreak", "image",
    "table", "tableRow", "tableHeader", "tableCell", "callout", "mention", "pageLink",
}  # fmt: skip
SERVER_MARKS = {"bold", "italic", "underline", "strike", "code", "link", "highlight"}


def test_the_server_knows_the_same_nodes_and_marks_as_the_editor():
    schema = json.loads(SCHEMA_JSON.read_text())
    assert {node["name"] for node in schema["nodes"]} == SERVER_NODES == set(content.NODES)
    assert {mark["name"] for mark in schema["marks"]} == SERVER_MARKS == set(content.MARKS)
    assert schema["yFragment"] == content.FRAGMENT


def test_the_editors_example_document_survives_the_yjs_round_trip(fragment):
    example = json.loads(SCHEMA_JSON.read_text())["example"]["json"]
    content.write(fragment, example)
    other = Doc()
    other.apply_update(fragment.doc.get_update())
    assert content.read(other.get(content.FRAGMENT, type=XmlFragment)) == example


# The editor itself (TipTap's y-prosemirror binding and frontend/src/docs/schema.ts, in Node):
# it reads what write() stores, and read() reads what it stores, both as the same JSON.
EDITOR_SCRIPT = """
import * as fs from "node:fs";
import * as Y from "yjs";
import { prosemirrorJSONToYDoc, yXmlFragmentToProseMirrorRootNode } from "@tiptap/y-tiptap";
import { docSchema } from "%(schema)s";

const [updateIn, jsonIn, updateOut, jsonOut] = process.argv.slice(2);
const schema = docSchema();
const doc = new Y.Doc();
Y.applyUpdate(doc, fs.readFileSync(updateIn));
const node = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment("default"), schema);
node.check();
fs.writeFileSync(jsonOut, JSON.stringify(node.toJSON()));
const made = prosemirrorJSONToYDoc(schema, JSON.parse(fs.readFileSync(jsonIn, "utf8")), "default");
fs.writeFileSync(updateOut, Y.encodeStateAsUpdate(made));
"""


@pytest.mark.skipif(not VITE_NODE.exists(), reason="the frontend's packages are not installed")
def test_the_editor_reads_what_the_server_writes_and_the_other_way(fragment, tmp_path):
    document = full_document()
    content.write(fragment, document)
    (tmp_path / "in.bin").write_bytes(fragment.doc.get_update())
    (tmp_path / "in.json").write_text(json.dumps(document))
    script = tmp_path / "editor.ts"
    script.write_text(EDITOR_SCRIPT % {"schema": FRONTEND / "src" / "docs" / "schema.ts"})
    files = [str(tmp_path / name) for name in ("in.bin", "in.json", "out.bin", "out.json")]
    subprocess.run(
        [str(VITE_NODE), "--root", str(FRONTEND), str(script), *files],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert json.loads((tmp_path / "out.json").read_text()) == document
    from_editor = Doc()
    from_editor.apply_update((tmp_path / "out.bin").read_bytes())
    assert content.read(from_editor.get(content.FRAGMENT, type=XmlFragment)) == document


def test_numbers_in_imported_html_stay_storable() -> None:
    from ensemble.docs.content import from_html

    html = (
        '<ol start="99999999999999999999"><li>un</li></ol>'
        f'<table><tr><td colspan="{"9" * 5000}" colwidth="99999999999999">x</td></tr></table>'
    )
    document = from_html(html)
    assert document["content"][0]["attrs"]["start"] == 1
    cell = document["content"][1]["content"][0]["content"][0]
    assert cell["attrs"]["colspan"] == 1 and cell["attrs"].get("colwidth") is None
