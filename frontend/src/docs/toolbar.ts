// The formatting toolbar (DSFR buttons rendered by the template): each [data-command] button
// runs an editor command, and shows with aria-pressed whether it applies where the cursor is.
import type { Editor } from "@tiptap/core";
import { CALLOUT_KINDS, type CalloutKind } from "./schema";

type Command = (editor: Editor) => boolean;

/** What each button does; marks and blocks toggle, the rest insert or act on a table. */
export const COMMANDS: Record<string, Command> = {
  bold: (e) => e.chain().focus().toggleBold().run(),
  italic: (e) => e.chain().focus().toggleItalic().run(),
  underline: (e) => e.chain().focus().toggleUnderline().run(),
  strike: (e) => e.chain().focus().toggleStrike().run(),
  code: (e) => e.chain().focus().toggleCode().run(),
  highlight: (e) => e.chain().focus().toggleHighlight().run(),
  bulletList: (e) => e.chain().focus().toggleBulletList().run(),
  orderedList: (e) => e.chain().focus().toggleOrderedList().run(),
  taskList: (e) => e.chain().focus().toggleTaskList().run(),
  blockquote: (e) => e.chain().focus().toggleBlockquote().run(),
  codeBlock: (e) => e.chain().focus().toggleCodeBlock().run(),
  horizontalRule: (e) => e.chain().focus().setHorizontalRule().run(),
  pageBreak: (e) => e.chain().focus().setPageBreak().run(),
  table: (e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
  addRowAfter: (e) => e.chain().focus().addRowAfter().run(),
  addColumnAfter: (e) => e.chain().focus().addColumnAfter().run(),
  deleteRow: (e) => e.chain().focus().deleteRow().run(),
  deleteColumn: (e) => e.chain().focus().deleteColumn().run(),
  deleteTable: (e) => e.chain().focus().deleteTable().run(),
  undo: (e) => e.chain().focus().undo().run(),
  redo: (e) => e.chain().focus().redo().run(),
};

/** Which buttons show a state (aria-pressed), and the node or mark it is. */
const PRESSED = ["bold", "italic", "underline", "strike", "code", "highlight", "link", "bulletList", "orderedList", "taskList", "blockquote", "codeBlock"];

/** Set a block's style from the "Text style" list: a paragraph or a heading level. */
export function setBlock(editor: Editor, value: string): boolean {
  const chain = editor.chain().focus();
  return value === "paragraph" ? chain.setParagraph().run() : chain.setHeading({ level: Number(value) as 1 | 2 | 3 | 4 | 5 | 6 }).run();
}

/** The "Text style" of the block at the cursor ("" when it is neither). */
export function currentBlock(editor: Editor): string {
  if (editor.isActive("paragraph")) return "paragraph";
  for (let level = 1; level <= 6; level++) if (editor.isActive("heading", { level })) return String(level);
  return "";
}

/** Wrap the selection in a callout of ``kind``, change the kind of the one it is in, or unwrap
 * it ("none"). */
export function setCallout(editor: Editor, kind: CalloutKind | "none"): boolean {
  if (kind === "none") return editor.chain().focus().unsetCallout().run();
  if (editor.isActive("callout")) return editor.chain().focus().updateAttributes("callout", { kind }).run();
  return editor.chain().focus().setCallout(kind).run();
}

export function bindToolbar(editor: Editor, toolbar: HTMLElement, openLink: () => void): void {
  const buttons = [...toolbar.querySelectorAll<HTMLButtonElement>("[data-command]")];
  for (const button of buttons) {
    const name = button.dataset.command ?? "";
    button.addEventListener("click", () => (name === "link" ? openLink() : COMMANDS[name]?.(editor)));
  }
  const block = toolbar.querySelector<HTMLSelectElement>("[data-block]");
  block?.addEventListener("change", () => setBlock(editor, block.value));
  const callout = toolbar.querySelector<HTMLSelectElement>("[data-callout]");
  callout?.addEventListener("change", () => {
    const kind = callout.value;
    if (kind === "none" || CALLOUT_KINDS.includes(kind as CalloutKind)) setCallout(editor, kind as CalloutKind | "none");
    callout.value = "";
  });
  const tableTools = toolbar.querySelector<HTMLElement>("[data-table-tools]");

  const refresh = (): void => {
    for (const button of buttons) {
      const name = button.dataset.command ?? "";
      if (PRESSED.includes(name)) button.setAttribute("aria-pressed", String(editor.isActive(name)));
    }
    const undo = buttons.find((button) => button.dataset.command === "undo");
    const redo = buttons.find((button) => button.dataset.command === "redo");
    if (undo) undo.disabled = !editor.can().undo();
    if (redo) redo.disabled = !editor.can().redo();
    if (block) block.value = currentBlock(editor);
    if (tableTools) tableTools.hidden = !editor.isActive("table");
  };
  editor.on("transaction", refresh);
  refresh();
}

/** The small form that sets or removes the link on the selection. */
export function linkForm(editor: Editor, form: HTMLFormElement, button: HTMLElement | null): () => void {
  const input = form.querySelector<HTMLInputElement>("input[name=href]");
  const close = (): void => {
    form.hidden = true;
    button?.setAttribute("aria-expanded", "false");
    editor.commands.focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const href = input?.value.trim() ?? "";
    if (href) editor.chain().focus().extendMarkRange("link").setLink({ href }).run();
    close();
  });
  form.querySelector("[data-link-remove]")?.addEventListener("click", () => {
    editor.chain().focus().extendMarkRange("link").unsetLink().run();
    close();
  });
  form.querySelector("[data-link-cancel]")?.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  return () => {
    if (input) input.value = (editor.getAttributes("link").href as string | undefined) ?? "";
    form.hidden = false;
    button?.setAttribute("aria-expanded", "true");
    input?.focus();
  };
}
