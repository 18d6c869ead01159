// Where the document sits and what it is for: "Use as a template" (editors: PATCH is_template;
// the Docs home then offers it under "From a template"), and "Move" (owners only, as the server
// says: a move changes who inherits access). Move opens a dialog to choose a new parent among the
// documents one may add pages below, or the root of one's documents; POST move/, then the page
// is read again for its new breadcrumb.
import { type DocsApi, type DocumentData, type DocumentList, reasonOf, showFailure } from "./api";
import { findPages } from "./pages";
import type { DocStrings } from "./strings";

/** The "Use as a template" switch: sends each change; undone, with the reason shown, if refused. */
export function bindTemplateToggle(api: DocsApi, toggle: HTMLInputElement, error: HTMLElement | null, strings: DocStrings): void {
  toggle.addEventListener("change", async () => {
    const wanted = toggle.checked;
    toggle.disabled = true;
    if (error) error.hidden = true;
    try {
      const document = await api.update({ is_template: wanted });
      toggle.checked = document.is_template ?? wanted;
    } catch (failure) {
      toggle.checked = !wanted;
      showFailure(error, failure, strings.error);
    } finally {
      toggle.disabled = false;
    }
  });
}

export interface MoveOptions {
  api: DocsApi;
  dialog: HTMLDialogElement;
  opener: HTMLButtonElement;
  strings: DocStrings;
  /** The document's parent now ("" at the root). */
  parent: string;
  find?: typeof findPages;
  /** After the move: the page is read again (its breadcrumb is the server's). */
  done?: () => void;
}

export function bindMove(options: MoveOptions): { fill: (query?: string) => Promise<void> } {
  const { api, dialog, opener, strings } = options;
  const find = options.find ?? findPages;
  const $ = <T extends Element>(selector: string): T | null => dialog.querySelector<T>(selector);
  const form = $<HTMLFormElement>("[data-move-form]");
  const search = $<HTMLInputElement>("[data-move-search]");
  const box = $<HTMLElement>("[data-move-options]");
  const error = $<HTMLElement>("[data-move-error]");
  const status = $<HTMLElement>("[data-move-status]");
  const submit = $<HTMLButtonElement>("[data-move-submit]");
  const root = dialog.querySelector<HTMLInputElement>("[data-move-target='']");
  let asked = 0;
  let cache = new Map<DocumentList, Promise<DocumentData[]>>();

  const say = (failure: unknown): void => {
    if (!error) return;
    error.querySelector("p")!.textContent = typeof failure === "string" ? failure : reasonOf(failure, strings.error);
    error.hidden = false;
  };

  /** The choices: the documents one may put pages below, the one open left out. */
  async function fillChoices(query = ""): Promise<void> {
    const mine = ++asked;
    const found = await find(query, {
      idle: ["mine", "shared", "recent"],
      searched: ["mine", "shared", "recent"],
      cache,
      exclude: [api.documentId],
      keep: (document) => !!document.abilities?.create_child,
      limit: 30,
    });
    if (mine !== asked || !box) return; // a later keystroke asked again
    const chosen = box.querySelector<HTMLInputElement>("input:checked")?.value;
    box.replaceChildren(
      ...found.map((document) => {
        const group = window.document.createElement("div");
        group.className = "fr-fieldset__element";
        const radio = window.document.createElement("div");
        radio.className = "fr-radio-group";
        const input = window.document.createElement("input");
        input.type = "radio";
        input.name = "parent";
        input.id = `doc-move-${document.id}`;
        input.value = document.id;
        input.dataset.moveTarget = document.id;
        const label = window.document.createElement("label");
        label.className = "fr-label";
        label.htmlFor = input.id;
        label.textContent = document.title || strings.untitled;
        if (document.id === options.parent) {
          input.disabled = true;
          const here = window.document.createElement("span");
          here.className = "fr-hint-text";
          here.textContent = strings.moveHere;
          label.append(here);
        }
        input.checked = input.value === chosen && !input.disabled;
        radio.append(input, label);
        group.append(radio);
        return group;
      }),
    );
    if (!found.length && query.trim()) {
      const none = window.document.createElement("p");
      none.className = "fr-text--sm fr-mb-0";
      none.dataset.moveNone = "";
      none.textContent = strings.noPage;
      box.append(none);
    }
  }

  if (root && !options.parent) {
    root.disabled = true;
    root.closest(".fr-radio-group")?.querySelector("label")?.append(Object.assign(document.createElement("span"), { className: "fr-hint-text", textContent: strings.moveHere }));
  }

  opener.addEventListener("click", () => {
    if (error) error.hidden = true;
    if (status) status.textContent = "";
    if (search) search.value = "";
    cache = new Map<DocumentList, Promise<DocumentData[]>>();
    dialog.showModal();
    opener.setAttribute("aria-expanded", "true");
    search?.focus();
    void fillChoices();
  });
  dialog.addEventListener("close", () => {
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  });
  $<HTMLButtonElement>("[data-move-cancel]")?.addEventListener("click", () => dialog.close());
  let typing: ReturnType<typeof setTimeout> | undefined;
  search?.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void fillChoices(search.value), 250);
  });
  search?.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // Enter searches; it does not move
  });
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = dialog.querySelector<HTMLInputElement>("input[name=parent]:checked");
    if (!picked) return say(strings.movePick);
    if (error) error.hidden = true;
    if (submit) submit.disabled = true;
    try {
      await api.move(picked.value || null);
      if (status) status.textContent = strings.moved;
      (options.done ?? (() => location.reload()))();
    } catch (failure) {
      say(failure);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  return { fill: fillChoices };
}
