// A document with every node and mark of the schema, written into schema.json with the HTML the
// editor makes of it (getHTML), so that the server's rendering can be held to the editor's.
import type { JSONContent } from "@tiptap/core";

const text = (value: string, marks?: JSONContent["marks"]): JSONContent => ({ type: "text", text: value, ...(marks ? { marks } : {}) });
const paragraph = (...content: JSONContent[]): JSONContent => ({ type: "paragraph", content });
const cell = (type: string, value: string): JSONContent => ({
  type,
  attrs: { colspan: 1, rowspan: 1, colwidth: null },
  content: [paragraph(text(value))],
});

export const EXAMPLE: JSONContent = {
  type: "doc",
  content: [
    { type: "heading", attrs: { level: 1 }, content: [text("Minutes")] },
    paragraph(
      text("Plain, "),
      text("bold", [{ type: "bold" }]),
      text(", "),
      text("italic", [{ type: "italic" }]),
      text(", "),
      text("underlined", [{ type: "underline" }]),
      text(", "),
      text("struck", [{ type: "strike" }]),
      text(", "),
      text("code", [{ type: "code" }]),
      text(", "),
      text("highlighted", [{ type: "highlight" }]),
      text(", "),
      text("a link", [{ type: "link", attrs: { href: "https://example.org/a?b=1&c=<2>" } }]),
      text(", "),
      text("bold italic", [{ type: "bold" }, { type: "italic" }]),
      { type: "hardBreak" },
      text("after a break, with "),
      { type: "mention", attrs: { id: "7b0c1f9e-0000-4000-8000-000000000001", label: "Ada Lovelace" } },
      text(" and "),
      { type: "pageLink", attrs: { id: "7b0c1f9e-0000-4000-8000-000000000002", title: "Budget 2027" } },
      text(" 🎉"),
    ),
    { type: "heading", attrs: { level: 3 }, content: [text("Lists")] },
    { type: "bulletList", content: [{ type: "listItem", content: [paragraph(text("one"))] }, { type: "listItem", content: [paragraph(text("two"))] }] },
    { type: "orderedList", attrs: { start: 3 }, content: [{ type: "listItem", content: [paragraph(text("three"))] }] },
    {
      type: "taskList",
      content: [
        { type: "taskItem", attrs: { checked: true }, content: [paragraph(text("done"))] },
        { type: "taskItem", attrs: { checked: false }, content: [paragraph(text("to do"))] },
      ],
    },
    { type: "blockquote", content: [paragraph(text("A quote"))] },
    { type: "codeBlock", attrs: { language: "python" }, content: [text("print('<hi>')\n")] },
    { type: "horizontalRule" },
    { type: "callout", attrs: { kind: "warning" }, content: [paragraph(text("Careful"))] },
    { type: "image", attrs: { src: "/media/docs/image.png", alt: "A chart", title: null } },
    {
      type: "table",
      content: [
        { type: "tableRow", content: [cell("tableHeader", "Name"), cell("tableHeader", "Role")] },
        { type: "tableRow", content: [cell("tableCell", "Ada"), cell("tableCell", "Editor")] },
      ],
    },
    { type: "pageBreak" },
    paragraph(text("Next page")),
  ],
};
