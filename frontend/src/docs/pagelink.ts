// "Link to a page" in the toolbar: a small search among one's documents (the recent ones first,
// then one's own and those shared with one; typed words match their titles and search the rest) that puts a pageLink node (the
// document's id and its title as it is now) where the cursor is.
import type { Editor } from "@tiptap/core";
import type { DocumentData, DocumentList } from "./api";
import { findPages } from "./pages";
import type { DocStrings } from "./strings";

export interface PageLinkOptions {
  editor: Editor;
  toggle: HTMLButtonElement;
  box: HTMLElement;
  strings: DocStrings;
  /** The document open (not offered). */
  current: string;
  find?: typeof findPages;
  /** Wait before searching what is typed (ms). */
  delay?: number;
}

/** Put a link to ``page`` at the cursor (or in place of the selection). */
export function insertPageLink(editor: Editor, page: Pick<DocumentData, "id" | "title">, untitled: string): boolean {
  return editor.chain().focus().insertPageLink({ id: page.id, title: page.title || untitled }).run();
}

export function bindPageLink(options: PageLinkOptions): { open: () => Promise<void>; close: () => void } {
  const { editor, toggle, box, strings } = options;
  const find = options.find ?? findPages;
  const input = box.querySelector<HTMLInputElement>("[data-page-link-search]");
  const results = box.querySelector<HTMLElement>("[data-page-link-results]");
  let found: DocumentData[] = [];
  let active = -1;
  let asked = 0;
  let cache = new Map<DocumentList, Promise<DocumentData[]>>();

  const draw = (): void => {
    if (!results || !input) return;
    results.replaceChildren(
      ...found.map((page, index) => {
        const item = document.createElement("li");
        item.id = `doc-page-link-${index}`;
        item.role = "option";
        item.className = "ens-doc__mention";
        item.dataset.pageLinkResult = page.id;
        item.setAttribute("aria-selected", String(index === active));
        item.textContent = page.title || strings.untitled;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(page);
        });
        return item;
      }),
    );
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "ens-doc__mention-empty";
      none.dataset.pageLinkNone = "";
      none.textContent = strings.noPage;
      results.append(none);
    }
    if (active >= 0) input.setAttribute("aria-activedescendant", `doc-page-link-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };

  const search = async (query: string): Promise<void> => {
    const mine = ++asked;
    const answer = await find(query, { idle: ["recent", "mine", "shared"], searched: ["mine", "shared", "recent"], exclude: [options.current], cache, limit: 12 }).catch(
      () => [] as DocumentData[],
    );
    if (mine !== asked) return;
    found = answer;
    active = found.length ? 0 : -1;
    draw();
  };

  const close = (): void => {
    box.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    input?.setAttribute("aria-expanded", "false");
  };
  const choose = (page: DocumentData): void => {
    close();
    insertPageLink(editor, page, strings.untitled);
  };
  const open = async (): Promise<void> => {
    cache = new Map<DocumentList, Promise<DocumentData[]>>(); // the lists as they are now, read once while the search is open
    box.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    input?.setAttribute("aria-expanded", "true");
    if (input) {
      input.value = "";
      input.focus();
    }
    await search("");
  };

  toggle.addEventListener("click", () => (box.hidden ? void open() : (close(), editor.commands.focus())));
  let typing: ReturnType<typeof setTimeout> | undefined;
  input?.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void search(input.value), options.delay ?? 200);
  });
  input?.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!found.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      draw();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && found[active]) choose(found[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      editor.commands.focus();
    }
  });
  box.querySelector<HTMLButtonElement>("[data-page-link-cancel]")?.addEventListener("click", () => {
    close();
    editor.commands.focus();
  });
  return { open, close };
}
