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
  /** A paste or drop larger than PASTE_LIMIT was refused (the server would not store it). */
  onPasteTooLarge?: () => void;
}

/** The most one paste or drop may bring (UTF-8 bytes of its text): its Yjs update must stay
 * under the 4 MiB the server stores (formatting adds to the text's size). A longer text is
 * imported as a file. */
export const PASTE_LIMIT = 1_500_000;

/** Whether what is pasted or dropped is too large: its plain text when it has one (the HTML
 * of a copy from a word processor is mostly styling), else its HTML. */
export function pasteTooLarge(data: DataTransfer | null): boolean {
  if (!data) return false;
  const text = data.getData("text/plain") || data.getData("text/html");
  if (text.length <= PASTE_LIMIT / 3) return false; // at most 3 bytes a character: surely fits
  return new TextEncoder().encode(text).length > PASTE_LIMIT;
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
      handlePaste: (_view, event) => {
        if (!pasteTooLarge(event.clipboardData)) return false;
        options.onPasteTooLarge?.();
        return true; // nothing pasted
      },
      handleDrop: (_view, event) => {
        if (!pasteTooLarge(event.dataTransfer)) return false;
        options.onPasteTooLarge?.();
        return true;
      },
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
