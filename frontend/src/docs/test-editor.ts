// The editor as the page makes it, on a Y.Doc of its own, for the tests (destroyed after each).
import type { AnyExtension, Editor } from "@tiptap/core";
import { afterEach } from "vitest";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { createEditor } from "./editor";

const made: Editor[] = [];
afterEach(() => {
  for (const editor of made.splice(0)) editor.destroy();
});

export function testEditor(options: { doc?: Y.Doc; editable?: boolean; placeholder?: string; extensions?: AnyExtension[] } = {}): {
  editor: Editor;
  doc: Y.Doc;
} {
  const doc = options.doc ?? new Y.Doc();
  const element = document.createElement("div");
  document.body.append(element);
  const editor = createEditor({
    element,
    doc,
    awareness: new Awareness(doc),
    user: { name: "Ada", color: "#000091" },
    editable: options.editable ?? true,
    label: "Document text",
    placeholder: options.placeholder ?? "",
    extensions: options.extensions,
  });
  made.push(editor);
  return { editor, doc };
}
