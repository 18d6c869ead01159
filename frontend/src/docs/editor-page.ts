// The Docs editor page (issue 15, ADR 0008): mounts on #ens-doc, which the template renders with
// the document's id, its socket, what the person may do and who they are. The document is loaded
// from this browser's copy (IndexedDB) first, then kept in sync over the socket; the status line
// says whether every change is stored. Around the text: the title, comments, versions, sharing
// and export, each what the API allows the person.
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { CommentHighlights } from "./anchors";
import { bindAssist } from "./assist";
import { DocsApi, reasonOf } from "./api";
import { bindComments } from "./comments";
import { createEditor } from "./editor";
import { bindExport } from "./exports";
import { bindMove, bindTemplateToggle } from "./organise";
import { bindPageLink } from "./pagelink";
import { onPanel, openPanel, panelShown, wirePanels } from "./panels";
import { bindShare } from "./share";
import { editableTitle } from "./title";
import { bindVersions } from "./versions";
import { emojiPicker } from "./emoji";
import { insertImage } from "./images";
import { mentionSuggestion } from "./mentions";
import { DocProvider } from "./provider";
import { showStatus } from "./status";
import { fill, readStrings } from "./strings";
import { bindToolbar, linkForm } from "./toolbar";

export function mount(root: HTMLElement): void {
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
  const showError = (text: string): void => {
    const box = $<HTMLElement>("[data-doc-error]");
    if (!box) return;
    box.querySelector("p")!.textContent = text;
    box.hidden = false;
  };
  const editor = createEditor({
    element: $<HTMLElement>("[data-doc-editor]") ?? root,
    doc,
    awareness,
    user: { name: data.userName ?? "", color: data.userColor || "#000091" },
    editable: canEdit,
    label: strings.editor,
    placeholder: canEdit ? strings.placeholder : "",
    mention: mentionList ? mentionSuggestion(mentionList, strings) : undefined,
    extensions: [CommentHighlights],
    onPasteTooLarge: () => showError(strings.pasteTooLarge),
  });
  // The server may refuse our changes after all (rights taken away): stop editing then.
  provider.onStatus((status) => {
    if (status === "read-only" || status === "refused") editor.setEditable(false);
  });
  // A change refused as too large stays in this browser: the person may drop what is unsaved.
  const discard = $<HTMLButtonElement>("[data-discard-unsaved]");
  if (discard) {
    provider.onStatus((status) => (discard.hidden = status !== "too-large"));
    discard.addEventListener("click", () => {
      if (!window.confirm(strings.confirmDiscard)) return;
      void provider.discardUnsaved().then(() => window.location.reload());
    });
  }

  const toolbar = $<HTMLElement>("[data-toolbar]");
  if (toolbar && canEdit) {
    const form = $<HTMLFormElement>("[data-link-form]");
    const open = form ? linkForm(editor, form, $("[data-command=link]")) : () => undefined;
    bindToolbar(editor, toolbar, open);
    const pageToggle = $<HTMLButtonElement>("[data-page-link-toggle]");
    const pageBox = $<HTMLElement>("[data-page-link-box]");
    if (pageToggle && pageBox && data.signedIn === "true") {
      bindPageLink({ editor, toggle: pageToggle, box: pageBox, strings, current: data.doc ?? "" });
    }
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
            showError(fill(strings.uploadFailed, { name: file.name, reason: reasonOf(failure, strings.error) }));
          })
          .finally(() => (input.value = ""));
      });
    }
  }

  void provider.start();
  if (data.signedIn === "true") around(root, editor, strings, provider);
}

/** What the page does beside the text, through the API (signed-in people only: the API asks). */
function around(
  root: HTMLElement,
  editor: ReturnType<typeof createEditor>,
  strings: ReturnType<typeof readStrings>,
  provider: DocProvider,
): void {
  const data = root.dataset;
  const $ = <T extends Element>(selector: string): T | null => root.querySelector<T>(selector);
  const api = new DocsApi(data.doc ?? "");
  wirePanels(root);

  const heading = $<HTMLElement>("[data-doc-title]");
  if (heading && data.canEdit === "true") {
    const crumb = $<HTMLElement>(".fr-breadcrumb__link[aria-current]");
    editableTitle({
      heading,
      title: data.title ?? "",
      save: (title) => api.update({ title }),
      error: $<HTMLElement>("[data-title-error]"),
      strings,
      onSaved: (title) => {
        const shown = title || strings.untitled;
        if (crumb) crumb.textContent = shown;
        document.title = document.title.replace(/^.*?( – [^–]*)$/, `${shown}$1`);
        root.dataset.title = title;
      },
    });
  }

  const sharePanel = $<HTMLElement>("[data-panel=share]");
  if (sharePanel) {
    const share = bindShare({
      api,
      panel: sharePanel,
      strings,
      canManage: data.canShare === "true",
      canSeeAccesses: data.canSeeAccesses !== "false",
      link: `${location.origin}${location.pathname}`,
    });
    onPanel("share", () => void share.refresh());
  }
  const versionsPanel = $<HTMLElement>("[data-panel=versions]");
  if (versionsPanel) {
    const versions = bindVersions({ api, panel: versionsPanel, strings, canEdit: data.canEdit === "true" });
    onPanel("versions", () => void versions.refresh());
  }
  const assistPanel = $<HTMLElement>("[data-panel=assist]");
  if (assistPanel) {
    const at = <T extends HTMLElement>(selector: string): T => assistPanel.querySelector<T>(selector)!;
    const refresh = bindAssist(
      editor,
      {
        panel: assistPanel,
        status: at("[data-assist-status]"),
        actions: at("[data-assist-actions]"),
        proposal: at("[data-assist-proposal]"),
        summary: at("[data-assist-summary]"),
        error: at("[data-assist-error]"),
      },
      strings,
      data.canEdit === "true",
    );
    onPanel("assist", refresh);
  }
  const commentsPanel = $<HTMLElement>("[data-panel=comments]");
  if (commentsPanel) {
    const comments = bindComments({
      api,
      editor,
      panel: commentsPanel,
      strings,
      canComment: data.canComment === "true",
      canModerate: data.canShare === "true",
      me: data.userId ?? "",
      addButton: $<HTMLButtonElement>("[data-comment-add]"),
      openPanel: () => panelShown() !== "comments" && openPanel("comments"),
    });
    onPanel("comments", () => void comments.refresh());
    provider.onComments(() => void comments.refresh()); // someone else's comment, at once
    // The highlights are there from the start; a notification's link (#comment-<id>) opens its thread.
    void comments.refresh().then(() => {
      const wanted = /^#comment-([0-9a-f-]{36})$/.exec(location.hash)?.[1];
      if (wanted) {
        openPanel("comments");
        void comments.show(wanted);
      }
    });
  }
  const exportBox = $<HTMLElement>("[data-export]");
  if (exportBox) bindExport(api, exportBox, strings);

  const template = $<HTMLInputElement>("[data-template-toggle]");
  if (template) bindTemplateToggle(api, template, $<HTMLElement>("[data-title-error]"), strings);
  const moveOpener = $<HTMLButtonElement>("[data-move-open]");
  const moveDialog = $<HTMLDialogElement>("[data-move-dialog]");
  if (moveOpener && moveDialog) bindMove({ api, dialog: moveDialog, opener: moveOpener, strings, parent: data.parent ?? "" });
}
