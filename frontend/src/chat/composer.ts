// The composer: Enter sends (retried on the network with the same transaction id), files by
// button or drag and drop with a progress bar each, a Markdown preview, edits in place.
import { ApiError, json, transactionId, upload, type Attachment, type Message } from "./api";
import { $, act, maxBytes, reason, showError, state, strings } from "./context";
import { keepMentions, takeMentions } from "./mentions";
import { stopTyping, typed } from "./presence";
import { fill, humanSize } from "./render";
import { rerender } from "./timeline";

interface Pending {
  file: File;
  attachment?: Attachment;
  done: Promise<void>;
  row: HTMLLIElement;
}
const pending: Pending[] = [];

function drop(entry: Pending): void {
  const at = pending.indexOf(entry);
  if (at >= 0) pending.splice(at, 1);
  entry.row.remove();
}

function addFiles(files: FileList | File[]): void {
  if (!state.current) return;
  const room = state.current.id;
  for (const file of files) {
    if (file.size > maxBytes) {
      showError(fill(strings.tooLarge, { name: file.name, size: humanSize(maxBytes) }));
      continue;
    }
    const row = document.createElement("li");
    row.dataset.upload = file.name;
    const label = document.createElement("span");
    label.textContent = `${file.name} (${humanSize(file.size)})`;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-close-line fr-btn--icon-left";
    remove.textContent = strings.remove;
    row.append(label, bar, remove);
    $("[data-uploads]")?.append(row);
    const entry: Pending = { file, row, done: Promise.resolve() };
    remove.onclick = () => drop(entry);
    entry.done = upload(room, file, (done) => (bar.value = done))
      .then((attachment) => {
        entry.attachment = attachment;
        bar.value = 1;
        row.dataset.uploaded = attachment.id;
      })
      .catch((error: unknown) => {
        drop(entry);
        showError(fill(strings.uploadFailed, { name: file.name, reason: reason(error) }));
      });
    pending.push(entry);
  }
}

// Messages leave in the order they were written: each send waits for the one before it (two
// sends in flight at once could be stored the other way round).
let outbox: Promise<unknown> = Promise.resolve();

function inOrder<T>(work: () => Promise<T>): Promise<T> {
  const turn = outbox.then(work);
  outbox = turn.catch(() => undefined);
  return turn;
}

/** Send once, retrying network failures with the same transaction id (never a duplicate). */
async function post(room: string, body: string, attachments: string[], replyTo: string | null, mentions: string[] = []): Promise<void> {
  const data = { txn_id: transactionId(), body, attachments, reply_to: replyTo, mentions };
  for (let attempt = 0; ; attempt++) {
    try {
      await json(`rooms/${room}/messages/`, "POST", data);
      return;
    } catch (error) {
      if (error instanceof ApiError || attempt >= 5) throw error;
      await new Promise((resolve) => window.setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

/** Send a message to the open room, after those written before it. */
export function send(body: string, attachments: string[], replyTo: string | null): Promise<void> {
  const room = state.current?.id;
  return room ? inOrder(() => post(room, body, attachments, replyTo)) : Promise.resolve();
}

async function submitComposer(): Promise<void> {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  const room = state.current?.id;
  if (!text || !room) return;
  const body = text.value;
  const named = takeMentions(body);
  const mentions = [...new Set(named.map(([, user]) => user))];
  const sending = pending.splice(0);
  if (!body.trim() && !sending.length) return;
  // The composer is free again at once; what could not be sent comes back into it.
  text.value = "";
  sending.forEach((entry) => (entry.row.hidden = true));
  stopTyping();
  await setPreview(false);
  await act(() =>
    inOrder(async () => {
      await Promise.all(sending.map((entry) => entry.done)); // uploads still under way
      const files = sending.filter((entry) => entry.attachment).map((entry) => entry.attachment!.id);
      if (!body.trim() && !files.length) return;
      try {
        await post(room, body, files, null, mentions);
        sending.forEach((entry) => entry.row.remove());
      } catch (error) {
        // Back into the composer, after what is there (texts failing in a row keep their order).
        text.value = text.value ? `${text.value}\n${body}` : body;
        keepMentions(named);
        pending.unshift(...sending.filter((entry) => entry.attachment));
        sending.forEach((entry) => (entry.row.hidden = false));
        throw error;
      }
    }),
  );
}

async function setPreview(on: boolean): Promise<void> {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  const preview = $<HTMLElement>("[data-preview]");
  const toggle = $<HTMLButtonElement>("[data-preview-toggle]");
  if (!text || !preview || !toggle || !state.current) return;
  if (on) {
    const rendered = await json<{ html: string }>("rooms/preview/", "POST", { body: text.value });
    preview.innerHTML = rendered.html; // sanitized by the server
  }
  preview.hidden = !on;
  text.hidden = on;
  toggle.setAttribute("aria-pressed", String(on));
}

export function editInPlace(message: Message, item: HTMLElement): void {
  const body = item.querySelector<HTMLElement>("[data-body]");
  if (!body) return;
  const area = document.createElement("textarea");
  area.className = "fr-input";
  area.value = message.body;
  area.dataset.editText = "";
  const save = document.createElement("button");
  save.type = "button";
  save.className = "fr-btn fr-btn--sm";
  save.textContent = strings.save;
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "fr-btn fr-btn--sm fr-btn--tertiary";
  cancel.textContent = strings.cancel;
  cancel.onclick = () => rerender(message.id);
  save.onclick = () => void act(() => json(`messages/${message.id}/`, "PATCH", { body: area.value }));
  body.replaceChildren(area, save, cancel);
  area.focus();
}

/** Enter sends, unless ``busy`` (the mention list) takes the key. */
export function wireComposer(busy: () => boolean): void {
  const form = $<HTMLFormElement>("[data-composer]");
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  const input = $<HTMLInputElement>("[data-file-input]");
  const main = $<HTMLElement>("[data-main]");
  if (!form || !text || !input || !main) return;
  form.onsubmit = (event) => {
    event.preventDefault();
    void submitComposer();
  };
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.defaultPrevented && !busy()) {
      event.preventDefault();
      void submitComposer();
    }
  });
  text.addEventListener("input", typed);
  input.onchange = () => {
    if (input.files) addFiles(input.files);
    input.value = "";
  };
  main.addEventListener("dragover", (event) => {
    event.preventDefault();
    main.classList.add("ens-chat__main--drop");
  });
  main.addEventListener("dragleave", () => main.classList.remove("ens-chat__main--drop"));
  main.addEventListener("drop", (event) => {
    event.preventDefault();
    main.classList.remove("ens-chat__main--drop");
    if (event.dataTransfer?.files.length) addFiles(event.dataTransfer.files);
  });
  $<HTMLButtonElement>("[data-preview-toggle]")!.onclick = () =>
    void act(() => setPreview($<HTMLElement>("[data-preview]")!.hidden));
}
