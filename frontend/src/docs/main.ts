// The Docs editor page (issue 15, ADR 0008): mounts on #ens-doc, which the template renders with
// the document's id, its socket, what the person may do and who they are. The document is loaded
// from this browser's copy (IndexedDB) first, then kept in sync over the socket; the status line
// says whether every change is stored.
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { ApiError } from "../api";
import { createEditor } from "./editor";
import { emojiPicker } from "./emoji";
import { insertImage } from "./images";
import { mentionSuggestion } from "./mentions";
import { DocProvider } from "./provider";
import { showStatus } from "./status";
import { fill, readStrings } from "./strings";
import { bindToolbar, linkForm } from "./toolbar";

function mount(root: HTMLElement): void {
  const data = root.dataset;
  const strings = readStrings(root);
  const canEdit = data.canEdit === "true";
  const $ = <T extends Element>(selector: string): T | null => root.querySelector<T>(selector);

  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  const provider = new DocProvider({
    url: data.socket ?? `/ws/docs/${data.doc}/`,
    doc,
    awareness,
    storeName: `ensemble-doc-${data.doc}`,
  });
  const line = $<HTMLElement>("[data-doc-status]");
  if (line) provider.onStatus((status) => showStatus(line, status, canEdit, strings));

  const mentionList = $<HTMLElement>("[data-mention-list]");
  const editor = createEditor({
    element: $<HTMLElement>("[data-doc-editor]") ?? root,
    doc,
    awareness,
    user: { name: data.userName ?? "", color: data.userColor || "#000091" },
    editable: canEdit,
    label: strings.editor,
    placeholder: canEdit ? strings.placeholder : "",
    mention: mentionList ? mentionSuggestion(mentionList, strings) : undefined,
  });
  // The server may refuse our changes after all (rights taken away): stop editing then.
  provider.onStatus((status) => {
    if (status === "read-only" || status === "refused") editor.setEditable(false);
  });

  const toolbar = $<HTMLElement>("[data-toolbar]");
  if (toolbar && canEdit) {
    const form = $<HTMLFormElement>("[data-link-form]");
    const open = form ? linkForm(editor, form, $("[data-command=link]")) : () => undefined;
    bindToolbar(editor, toolbar, open);
    const toggle = $<HTMLButtonElement>("[data-emoji-toggle]");
    const list = $<HTMLElement>("[data-emoji-list]");
    if (toggle && list) emojiPicker(editor, toggle, list);
    const input = $<HTMLInputElement>("[data-image-input]");
    const error = $<HTMLElement>("[data-doc-error]");
    if (input && data.images) {
      input.addEventListener("change", () => {
        const file = input.files?.[0];
        if (!file) return;
        insertImage(editor, data.images ?? "", file)
          .then(() => error && (error.hidden = true))
          .catch((failure: unknown) => {
            if (!error) return;
            error.querySelector("p")!.textContent = fill(strings.uploadFailed, { name: file.name, reason: reasonOf(failure, strings.error) });
            error.hidden = false;
          })
          .finally(() => (input.value = ""));
      });
    }
  }

  void provider.start();
}

/** Why an upload failed, in words the person can read. */
const reasonOf = (failure: unknown, fallback: string): string =>
  failure instanceof ApiError && failure.status ? failure.message : fallback;

const root = document.getElementById("ens-doc");
if (root) mount(root);
