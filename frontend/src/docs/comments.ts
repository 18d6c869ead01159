// Comments: a passage selected in the text gets a "Comment" button (and Ctrl+Alt+M); the comment
// is sent with the passage's ends as Yjs relative positions (anchors.ts), so its highlight follows
// everyone's edits. The "Comments" panel lists the threads (GET comments/): reply, resolve and
// reopen, edit one's own, delete (one's own, or any for the document's administrators); a
// thread's passage is selected in the text from its quote. Comments are read again when the
// panel opens and after each action: the server does not push them yet.
import type { Editor } from "@tiptap/core";
import { anchorOf, resolveAnchor, setHighlights } from "./anchors";
import { type Comment, type DocsApi, type Reply, showFailure } from "./api";
import type { Person } from "./mentions";
import { type DocStrings, fill } from "./strings";
import { textMentions } from "./textmentions";

export interface CommentsOptions {
  api: DocsApi;
  editor: Editor;
  panel: HTMLElement;
  strings: DocStrings;
  canComment: boolean;
  /** May delete anyone's comment (the document's administrators). */
  canModerate: boolean;
  /** The person's id ("" when not signed in). */
  me: string;
  /** The floating "Comment" button near the selection. */
  addButton: HTMLButtonElement | null;
  /** Opens the comments panel. */
  openPanel: () => void;
  searchPeople?: (query: string) => Promise<Person[]>;
}

const when = (iso: string): string =>
  new Date(iso).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });

/** The passage selected in the text: the editor's selection, or for a read-only editor (where
 * ProseMirror may not follow the selection) the browser's, mapped into the document. */
export function selectedRange(editor: Editor): { from: number; to: number } | null {
  const { from, to, empty } = editor.state.selection;
  if (!empty) return { from, to };
  return browserRange(editor);
}

/** The browser's selection when it is a passage of the text (what the person sees selected). */
export function browserRange(editor: Editor): { from: number; to: number } | null {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.anchorNode || !selection.focusNode) return null;
  const dom = editor.view.dom;
  if (!dom.contains(selection.anchorNode) || !dom.contains(selection.focusNode)) return null;
  try {
    const a = editor.view.posAtDOM(selection.anchorNode, selection.anchorOffset);
    const b = editor.view.posAtDOM(selection.focusNode, selection.focusOffset);
    return a === b ? null : { from: Math.min(a, b), to: Math.max(a, b) };
  } catch {
    return null;
  }
}

export function bindComments(options: CommentsOptions): { refresh: () => Promise<void>; show: (id: string) => Promise<void> } {
  const { api, editor, panel, strings, canComment, me } = options;
  const $ = <T extends Element>(selector: string): T | null => panel.querySelector<T>(selector);
  const error = $<HTMLElement>("[data-comments-error]");
  const list = $<HTMLElement>("[data-comment-list]");
  const showResolved = $<HTMLInputElement>("[data-comments-resolved]");
  const form = $<HTMLFormElement>("[data-comment-new]");
  const quote = $<HTMLElement>("[data-comment-quote]");
  const body = $<HTMLTextAreaElement>("[data-comment-body]");
  const newMentions = body ? textMentions(body, strings, options.searchPeople) : null;
  let threads: Comment[] = [];
  let active: string | null = null;
  let pending: { start: string; end: string; quote: string } | null = null;

  const fail = (failure: unknown): void => showFailure(error, failure, strings.error);
  /** Run a call, show its refusal, read the comments again; the focus goes back to the same
   * thread (the list is drawn anew). */
  const act = async (call: () => Promise<unknown>): Promise<boolean> => {
    if (error) error.hidden = true;
    const thread = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[data-comment-thread]")?.dataset.commentThread;
    try {
      await call();
      return true;
    } catch (failure) {
      fail(failure);
      return false;
    } finally {
      await refresh(false);
      const again = thread ? list?.querySelector<HTMLElement>(`[data-comment-thread="${thread}"]`) : null;
      (again?.querySelector<HTMLElement>("[data-comment-reply], [data-comment-reopen], button") ?? panel.querySelector<HTMLElement>("h2"))?.focus();
    }
  };

  const highlight = (): void => {
    const open = threads.filter((thread) => !thread.resolved_at && thread.anchor_start && thread.anchor_end);
    setHighlights(editor, open.map((thread) => ({ id: thread.id, start: thread.anchor_start, end: thread.anchor_end })), active);
  };

  // A new comment on the selected passage.
  const start = (): void => {
    if (!canComment || !form) return;
    const range = selectedRange(editor);
    const anchor = range ? anchorOf(editor.state, range.from, range.to) : null;
    options.openPanel();
    if (!anchor) {
      if (error) {
        error.querySelector("p")!.textContent = strings.selectFirst;
        error.hidden = false;
      }
      return;
    }
    if (error) error.hidden = true;
    pending = anchor;
    if (quote) quote.textContent = anchor.quote;
    form.hidden = false;
    body?.focus();
  };
  const cancel = (): void => {
    pending = null;
    if (form) form.hidden = true;
    if (body) body.value = "";
    newMentions?.reset();
  };
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = body?.value.trim() ?? "";
    if (!pending || !text) return body?.focus();
    const anchor = pending;
    const sent = await act(() =>
      api.writeComment({ body: text, anchor_start: anchor.start, anchor_end: anchor.end, quote: anchor.quote, mentions: newMentions?.ids() ?? [] }),
    );
    if (sent) cancel();
  });
  $<HTMLButtonElement>("[data-comment-cancel]")?.addEventListener("click", cancel);
  form?.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      cancel();
    }
  });
  $<HTMLButtonElement>("[data-comment-selection]")?.addEventListener("click", start);

  // The floating button, shown beside a selected passage.
  const add = options.addButton;
  if (add && canComment) {
    const place = (): void => {
      const range = browserRange(editor);
      if (!range) {
        add.hidden = true;
        return;
      }
      // The button's parent is the page's positioned box (a hidden button has no offsetParent).
      const page = add.parentElement?.getBoundingClientRect() ?? { left: 0, top: 0 };
      try {
        const end = editor.view.coordsAtPos(range.to);
        add.style.left = `${Math.max(0, end.right - page.left + 8)}px`;
        add.style.top = `${end.top - page.top - 4}px`;
      } catch {
        return;
      }
      add.hidden = false;
    };
    editor.on("selectionUpdate", place);
    document.addEventListener("selectionchange", place);
    add.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    add.addEventListener("click", () => {
      add.hidden = true;
      start();
    });
  }
  editor.view.dom.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.altKey && event.key.toLowerCase() === "m") {
      event.preventDefault();
      start();
    }
  });
  // A click on a highlighted passage shows its thread.
  editor.view.dom.addEventListener("click", (event) => {
    const marked = (event.target as HTMLElement).closest<HTMLElement>("[data-comment]");
    if (marked?.dataset.comment && selectedRange(editor) === null) {
      options.openPanel();
      void show(marked.dataset.comment);
    }
  });
  showResolved?.addEventListener("change", draw);

  /** Select a thread's passage in the text and mark it as the one looked at. */
  const goTo = (thread: Comment, focus = false): void => {
    active = thread.id;
    highlight();
    const place = resolveAnchor(editor.state, { start: thread.anchor_start, end: thread.anchor_end });
    if (place) {
      const chain = editor.chain();
      (focus ? chain.focus() : chain).setTextSelection(place).scrollIntoView().run();
    }
    for (const item of list?.querySelectorAll<HTMLElement>("[data-comment-thread]") ?? []) {
      item.classList.toggle("ens-doc__thread--active", item.dataset.commentThread === thread.id);
    }
  };

  const button = (text: string, hook: string, className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline"): HTMLButtonElement => {
    const made = document.createElement("button");
    made.type = "button";
    made.className = className;
    made.dataset[hook] = "";
    made.textContent = text;
    return made;
  };

  /** A field and its buttons, in place of ``replaced`` (reply, edit). */
  const smallForm = (label: string, submitText: string, initial: string, send: (text: string, mentions: string[]) => Promise<boolean>, onClose: () => void): HTMLFormElement => {
    const made = document.createElement("form");
    made.className = "ens-doc__comment-form";
    made.dataset.commentForm = "";
    const field = document.createElement("textarea");
    field.className = "fr-input";
    field.rows = 2;
    field.required = true;
    field.value = initial;
    field.setAttribute("aria-label", label);
    const actions = document.createElement("div");
    actions.className = "ens-doc__comment-actions";
    const submit = button(submitText, "commentSubmit", "fr-btn fr-btn--sm");
    submit.type = "submit";
    const cancelButton = button(strings.cancel, "commentFormCancel", "fr-btn fr-btn--sm fr-btn--tertiary");
    cancelButton.addEventListener("click", onClose);
    actions.append(submit, cancelButton);
    made.append(field, actions);
    const mentions = textMentions(field, strings, options.searchPeople);
    made.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = field.value.trim();
      if (!text) return field.focus();
      submit.disabled = true;
      if (!(await send(text, mentions.ids()))) submit.disabled = false;
    });
    made.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        onClose();
      }
    });
    queueMicrotask(() => field.focus());
    return made;
  };

  /** One comment (the thread's first, or a reply) and what one may do with it. */
  const item = (comment: Comment | Reply, thread: Comment): HTMLElement => {
    const article = document.createElement("article");
    article.className = "ens-doc__comment";
    article.dataset.comment = comment.id;
    const meta = document.createElement("p");
    meta.className = "fr-text--xs fr-mb-1v ens-doc__comment-meta";
    const author = document.createElement("strong");
    author.textContent = comment.author_name ?? strings.someone;
    meta.append(author, ` · ${when(comment.created_at)}`);
    if (comment.edited_at) meta.append(` · ${strings.edited}`);
    const text = document.createElement("p");
    text.className = "fr-text--sm fr-mb-1v ens-doc__comment-body";
    text.textContent = comment.body;
    article.append(meta, text);
    const own = !!me && comment.author === me;
    const actions = document.createElement("div");
    actions.className = "ens-doc__comment-actions";
    if (own && canComment) {
      const edit = button(strings.edit, "commentEdit");
      edit.setAttribute("aria-label", fill(strings.editOf, { name: author.textContent }));
      edit.addEventListener("click", () => {
        const editing = smallForm(strings.yourComment, strings.save, comment.body, (body) => act(() => api.changeComment(comment.id, { body })), () => {
          editing.replaceWith(text);
          actions.hidden = false;
          edit.focus();
        });
        text.replaceWith(editing);
        actions.hidden = true;
      });
      actions.append(edit);
    }
    if (own || options.canModerate) {
      const remove = button(strings.remove, "commentDelete");
      remove.setAttribute("aria-label", fill(strings.removeOf, { name: author.textContent }));
      remove.addEventListener("click", () => {
        // Two steps rather than a browser dialog: the second press deletes.
        if (remove.dataset.armed !== "true") {
          remove.dataset.armed = "true";
          remove.textContent = strings.confirmRemove;
          remove.setAttribute("aria-label", strings.confirmRemove);
          return;
        }
        void act(() => api.deleteComment(comment.id));
      });
      remove.addEventListener("blur", () => {
        remove.dataset.armed = "false";
        remove.textContent = strings.remove;
        remove.setAttribute("aria-label", fill(strings.removeOf, { name: author.textContent ?? "" }));
      });
      actions.append(remove);
    }
    if (actions.childElementCount) article.append(actions);
    return article;
  };

  /** The thread's quote: a button to its passage, or, when the passage is gone (deleted, or
   * replaced by restoring a version), the quote with a note that says so. */
  const passage = (place: HTMLElement, thread: Comment): void => {
    const found = !!resolveAnchor(editor.state, { start: thread.anchor_start, end: thread.anchor_end });
    if (place.dataset.found === String(found)) return;
    place.dataset.found = String(found);
    if (found) {
      const go = button("", "commentGo", "ens-doc__quote");
      go.textContent = thread.quote;
      go.setAttribute("aria-label", fill(strings.goToPassage, { quote: thread.quote }));
      go.addEventListener("click", () => goTo(thread, true));
      place.replaceChildren(go);
      return;
    }
    const note = document.createElement("p");
    note.className = "fr-text--xs fr-mb-1v ens-doc__quote-note";
    note.dataset.commentGone = "";
    note.textContent = strings.passageGoneNote;
    const quoted = document.createElement("blockquote");
    quoted.className = "ens-doc__quote ens-doc__quote--gone";
    quoted.dataset.commentGoneQuote = "";
    quoted.textContent = thread.quote;
    place.replaceChildren(note, quoted);
  };

  // The text changes under the threads (the first load, others' edits, a version restored):
  // each quote says again whether its passage is there, without redrawing the threads (a reply
  // being written stays).
  let checking = 0;
  editor.on("update", () => {
    if (checking || !list) return;
    checking = window.setTimeout(() => {
      checking = 0;
      for (const place of list.querySelectorAll<HTMLElement>("[data-comment-passage]")) {
        const id = place.closest<HTMLElement>("[data-comment-thread]")?.dataset.commentThread;
        const thread = threads.find((one) => one.id === id);
        if (thread) passage(place, thread);
      }
    }, 300);
  });

  const threadItem = (thread: Comment): HTMLLIElement => {
    const entry = document.createElement("li");
    entry.className = "ens-doc__thread";
    entry.id = `comment-${thread.id}`;
    entry.dataset.commentThread = thread.id;
    if (thread.resolved_at) entry.dataset.resolved = "true";
    if (thread.id === active) entry.classList.add("ens-doc__thread--active");
    if (thread.quote) {
      const place = document.createElement("div");
      place.dataset.commentPassage = "";
      passage(place, thread);
      entry.append(place);
    }
    if (thread.resolved_at) {
      const badge = document.createElement("p");
      badge.className = "fr-badge fr-badge--sm fr-badge--success fr-mb-1v";
      badge.textContent = strings.resolved;
      entry.append(badge);
    }
    entry.append(item(thread, thread));
    if (thread.replies.length) {
      const replies = document.createElement("ul");
      replies.className = "ens-doc__replies";
      for (const reply of thread.replies) {
        const line = document.createElement("li");
        line.append(item(reply, thread));
        replies.append(line);
      }
      entry.append(replies);
    }
    if (canComment) {
      const actions = document.createElement("div");
      actions.className = "ens-doc__comment-actions";
      const reply = button(strings.reply, "commentReply", "fr-btn fr-btn--sm fr-btn--secondary");
      reply.addEventListener("click", () => {
        actions.hidden = true;
        const writing = smallForm(strings.yourReply, strings.send, "", (body, mentions) => act(() => api.writeComment({ body, thread: thread.id, mentions })), () => {
          writing.remove();
          actions.hidden = false;
          reply.focus();
        });
        entry.append(writing);
      });
      const resolve = button(thread.resolved_at ? strings.reopen : strings.resolve, thread.resolved_at ? "commentReopen" : "commentResolve", "fr-btn fr-btn--sm fr-btn--tertiary");
      resolve.addEventListener("click", () => void act(() => api.changeComment(thread.id, { resolved: !thread.resolved_at })));
      actions.append(reply, resolve);
      entry.append(actions);
    }
    return entry;
  };

  function draw(): void {
    if (!list) return;
    const shown = threads.filter((thread) => showResolved?.checked || !thread.resolved_at);
    list.replaceChildren(...shown.map(threadItem));
    if (!shown.length) {
      const none = document.createElement("li");
      none.className = "fr-text--sm";
      none.dataset.commentsEmpty = "";
      none.textContent = threads.length ? strings.allResolved : strings.noComment;
      list.append(none);
    }
  }

  async function refresh(clearError = true): Promise<void> {
    if (clearError && error) error.hidden = true;
    try {
      threads = await api.comments();
    } catch (failure) {
      fail(failure);
      return;
    }
    draw();
    highlight();
  }

  /** Show one thread (from a highlight, or a notification's #comment-<id>). */
  async function show(id: string): Promise<void> {
    if (!threads.some((thread) => thread.id === id)) await refresh();
    const thread = threads.find((one) => one.id === id);
    if (!thread) return;
    if (thread.resolved_at && showResolved && !showResolved.checked) {
      showResolved.checked = true;
      draw();
    }
    goTo(thread);
    const entry = list?.querySelector<HTMLElement>(`[data-comment-thread="${id}"]`);
    entry?.scrollIntoView({ block: "nearest" });
    entry?.querySelector<HTMLElement>("button")?.focus();
  }

  return { refresh, show };
}
