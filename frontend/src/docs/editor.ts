// The editor of one document: TipTap on the Y.Doc's fragment "default" (y-prosemirror), with
// the others' named, coloured carets from awareness, and undo/redo of one's own changes (Yjs).
import { type AnyExtension, Editor } from "@tiptap/core";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import type { MentionOptions } from "@tiptap/extension-mention";
import { Placeholder } from "@tiptap/extensions";
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import { caret, hexColour, selection } from "./colour";
import { docExtensions } from "./schema";

export interface EditorOptions {
  element: HTMLElement;
  doc: Y.Doc;
  awareness: Awareness;
  user: { name: string; color: string };
  editable: boolean;
  label: string;
  placeholder: string;
  mention?: MentionOptions["suggestion"];
  /** More of the page's own extensions (the comments' highlights). */
  extensions?: AnyExtension[];
}

export function createEditor(options: EditorOptions): Editor {
  return new Editor({
    element: options.element,
    editable: options.editable,
    injectCSS: false, // the page's CSP refuses inline <style>: docs.css has what TipTap would add
    extensions: [
      ...docExtensions({ mention: options.mention }),
      Collaboration.configure({ document: options.doc, field: "default" }),
      CollaborationCaret.configure({
        provider: { awareness: options.awareness },
        user: { name: options.user.name, color: hexColour(options.user.color, "#000091") },
        render: caret,
        selectionRender: selection,
      }),
      Placeholder.configure({ placeholder: options.placeholder }),
      ...(options.extensions ?? []),
    ],
    editorProps: {
      attributes: {
        class: "ens-doc__content",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": options.label,
        ...(options.editable ? {} : { "aria-readonly": "true" }),
      },
    },
  });
}
