// ensemble/docs/schema.json must be what schema.ts builds: the server renders and writes
// documents from it. `npm run docs-schema` (in frontend/) writes it again.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { generateHTML } from "@tiptap/core";
import { describe, expect, it } from "vitest";
import { docExtensions, docSchema } from "./schema";
import { EXAMPLE } from "./schema-example";
import { schemaJson } from "./schema-json";

const target = resolve(__dirname, "../../../ensemble/docs/schema.json");
const example = { json: EXAMPLE, html: generateHTML(EXAMPLE, docExtensions()) };
const built = `${JSON.stringify({ ...schemaJson(docSchema()), example }, null, 2)}\n`;

describe("the schema shared with the server", () => {
  it("is written to ensemble/docs/schema.json as schema.ts builds it", () => {
    if (process.env.UPDATE_DOCS_SCHEMA) writeFileSync(target, built);
    let stored = "";
    try {
      stored = readFileSync(target, "utf8");
    } catch {
      // missing: compared as empty below, with the same advice
    }
    expect(stored, "ensemble/docs/schema.json differs from frontend/src/docs/schema.ts: run `npm run docs-schema` in frontend/ and commit it").toBe(built);
  });

  it("has the nodes and marks that docs.md lists, with their attributes", () => {
    const json = schemaJson(docSchema());
    const nodes = Object.fromEntries(json.nodes.map((node) => [node.name, node.attrs.map((a) => a.name)]));
    expect(nodes).toEqual({
      doc: [],
      paragraph: [],
      text: [],
      blockquote: [],
      bulletList: [],
      codeBlock: ["language"],
      hardBreak: [],
      heading: ["level"],
      horizontalRule: [],
      listItem: [],
      orderedList: ["start"],
      taskList: [],
      taskItem: ["checked"],
      image: ["src", "alt", "title"],
      table: [],
      tableRow: [],
      tableHeader: ["colspan", "rowspan", "colwidth"],
      tableCell: ["colspan", "rowspan", "colwidth"],
      mention: ["id", "label"],
      callout: ["kind"],
      pageBreak: [],
      pageLink: ["id", "title"],
    });
    const marks = Object.fromEntries(json.marks.map((mark) => [mark.name, mark.attrs.map((a) => a.name)]));
    expect(marks).toEqual({ bold: [], italic: [], underline: [], strike: [], code: [], link: ["href"], highlight: [] });
  });
});
