// The chat page: room list with unread badges, a live timeline that scrolls back through
// history, a composer with Markdown preview and file uploads, reactions, threads, typing
// and presence. State comes from the REST API, then every change from the real-time stream.
import { streamClient, type StreamEvent, type StreamSignal } from "../stream";
import { ApiError, call, json, transactionId, upload, type Attachment, type Message, type Room } from "./api";
import { fill, humanSize, messageElement, type MessageActions, type Strings } from "./render";

const root = document.querySelector<HTMLElement>("[data-chat]");
const strings: Strings = JSON.parse(document.getElementById("chat-strings")?.textContent ?? "{}");
const client = streamClient();
const FROM_NOW = Number.MAX_SAFE_INTEGER;
const TYPING_SHOWN_FOR = 6000;

const me = root?.dataset.user ?? "";
const roomId = root?.dataset.room ?? "";
const maxBytes = Number(root?.dataset.maxBytes ?? 0);
const $ = <T extends Element>(selector: string): T | null => root?.querySelector<T>(selector) ?? null;

const rooms = new Map<string, Room>();
const messages = new Map<string, Message>();
const typing = new Map<string, { name: string; until: number }>();
const presence = new Map<string, string>();
let current: Room | undefined;
let oldestSeq = Number.MAX_SAFE_INTEGER;
let historyDone = false;
let loadingHistory = false;
let threadRoot: Message | undefined;

// ---------------------------------------------------------------- room list

function renderRooms(): void {
  const list = $<HTMLUListElement>("[data-room-list]");
  if (!list) return;
  list.replaceChildren();
  const sorted = [...rooms.values()].sort((a, b) => a.title.localeCompare(b.title));
  if (!sorted.length) list.append(Object.assign(document.createElement("li"), { textContent: strings.noRooms }));
  for (const room of sorted) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/chat/${room.id}/`;
    link.className = "ens-chat__room";
    link.dataset.roomLink = room.id;
    if (room.id === roomId) link.setAttribute("aria-current", "page");
    const name = document.createElement("span");
    name.textContent = room.title || strings.direct;
    if (room.avatar) {
      const avatar = document.createElement("img");
      avatar.className = "ens-chat__avatar";
      avatar.src = room.avatar;
      avatar.alt = "";
      link.append(avatar);
    }
    link.append(name);
    if (room.mentions) {
      const badge = document.createElement("span");
      badge.className = "fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon";
      badge.dataset.mentionBadge = "";
      badge.textContent = `@${room.mentions}`;
      badge.title = fill(strings.mentions, { n: room.mentions });
      link.append(badge);
    }
    if (room.unread) {
      const badge = document.createElement("span");
      badge.className = "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon";
      badge.dataset.unreadBadge = "";
      badge.textContent = String(room.unread);
      badge.title = fill(strings.unread, { n: room.unread });
      link.append(badge);
      link.classList.add("ens-chat__room--unread");
    }
    item.append(link);
    list.append(item);
  }
}

const refreshing = new Map<string, number>();
function refreshRoom(id: string): void {
  window.clearTimeout(refreshing.get(id));
  refreshing.set(
    id,
    window.setTimeout(async () => {
      try {
        rooms.set(id, await json<Room>(`rooms/${id}/`));
      } catch {
        rooms.delete(id); // left, removed or banned
      }
      renderRooms();
    }, 300),
  );
}

async function loadRooms(): Promise<void> {
  const page = await json<{ results: Room[] }>("rooms/?limit=500");
  for (const room of page.results) rooms.set(room.id, room);
  renderRooms();
  for (const room of page.results) {
    if (room.id === roomId || !room.role) continue;
    client.follow(room.stream, FROM_NOW, (event) => {
      if (event.event.startsWith("chat.message") || event.event === "chat.room.updated") refreshRoom(room.id);
    });
  }
}

// ---------------------------------------------------------------- timeline

const actions: MessageActions = {
  me,
  strings,
  canModerate: false,
  canPost: false,
  replies: (id) => [...messages.values()].filter((m) => m.reply_to === id).length,
  parent: (id) => messages.get(id),
  react: (message, emoji, on) => void act(() => json(`messages/${message.id}/reactions/`, "POST", { emoji, on })),
  openThread: (message) => void openThread(message),
  edit: (message, element) => editInPlace(message, element),
  remove: (message) => {
    if (window.confirm(strings.confirmDelete)) void act(() => call(`messages/${message.id}/`, "DELETE"));
  },
};

function timeline(): HTMLElement | null {
  return $("[data-timeline]");
}

function atBottom(): boolean {
  const box = timeline();
  return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToBottom(): void {
  const box = timeline();
  if (box) box.scrollTop = box.scrollHeight;
}

function place(message: Message): void {
  const list = $<HTMLOListElement>("[data-messages]");
  if (!list) return;
  const fresh = messageElement(message, actions);
  const existing = list.querySelector(`[data-message="${message.id}"]`);
  if (existing) {
    existing.replaceWith(fresh);
    return;
  }
  const later = [...list.children].find((node) => Number((node as HTMLElement).dataset.seq) > message.seq);
  list.insertBefore(fresh, later ?? null);
}

function rerender(id: string | null): void {
  const message = id ? messages.get(id) : undefined;
  if (message) place(message);
  if (threadRoot && (id === threadRoot.id || message?.reply_to === threadRoot.id)) void openThread(threadRoot, false);
}

async function loadHistory(): Promise<void> {
  if (!current || historyDone || loadingHistory) return;
  loadingHistory = true;
  const box = timeline();
  const before = box ? box.scrollHeight - box.scrollTop : 0;
  try {
    const query = oldestSeq === Number.MAX_SAFE_INTEGER ? "" : `?before=${oldestSeq}`;
    const response = await call(`rooms/${current.id}/messages/${query}`);
    const page = (await response.json()) as Message[];
    for (const message of page) {
      messages.set(message.id, message);
      oldestSeq = Math.min(oldestSeq, message.seq);
    }
    for (const message of page) place(message);
    for (const message of page) if (message.reply_to) rerender(message.reply_to);
    if (page.length < 50) {
      historyDone = true;
      const end = $<HTMLElement>("[data-history-end]");
      if (end) end.hidden = false;
    }
    if (box) box.scrollTop = box.scrollHeight - before; // keep what the reader was looking at
    if (!query) {
      client.follow(current.stream, Number(response.headers.get("X-Stream-Seq") ?? 0), applyEvent, applySignal);
      markRead();
    }
  } finally {
    loadingHistory = false;
  }
}

function applyEvent(event: StreamEvent): void {
  const payload = event.payload;
  const id = typeof payload.id === "string" ? payload.id : null;
  const message = id ? messages.get(id) : undefined;
  switch (event.event) {
    case "chat.message.created": {
      const created = payload as unknown as Message;
      const follow = atBottom();
      messages.set(created.id, created);
      place(created);
      if (created.reply_to) rerender(created.reply_to);
      if (created.author) typing.delete(created.author);
      renderTyping();
      if (follow || created.author === me) scrollToBottom();
      markRead();
      return;
    }
    case "chat.message.edited":
    case "chat.message.deleted":
    case "chat.message.pinned":
      if (message) {
        Object.assign(message, payload);
        if (event.event === "chat.message.deleted") Object.assign(message, { deleted: true, body: "", html: "", attachments: [], reactions: {} });
        rerender(message.id);
      }
      return;
    case "chat.reaction.changed": {
      const target = messages.get(String(payload.message));
      if (!target) return;
      const emoji = String(payload.emoji);
      const people = (target.reactions[emoji] ?? []).filter((user) => user !== payload.user);
      if (payload.on) people.push(String(payload.user));
      if (people.length) target.reactions[emoji] = people;
      else delete target.reactions[emoji];
      rerender(target.id);
      return;
    }
    case "chat.room.updated":
      if (!current) return;
      Object.assign(current, { name: payload.name, topic: payload.topic, title: payload.name });
      if (payload.archived) current.archived_at = new Date().toISOString();
      renderHead();
      refreshRoom(current.id);
      return;
    case "chat.member.changed":
      if (payload.user === me && (payload.state === "removed" || payload.state === "banned")) {
        window.location.href = "/chat/";
      } else if (payload.user === me) {
        void reloadRoom();
      }
      void loadPresence();
  }
}

// ---------------------------------------------------------------- typing and presence

function applySignal(signal: StreamSignal): void {
  const user = String(signal.payload.user);
  if (signal.signal === "presence") {
    presence.set(user, String(signal.payload.state));
    renderPresence();
  } else if (signal.signal === "chat.typing" && user !== me) {
    if (signal.payload.typing) typing.set(user, { name: String(signal.payload.name), until: Date.now() + TYPING_SHOWN_FOR });
    else typing.delete(user);
    renderTyping();
  }
}

function renderTyping(): void {
  const line = $<HTMLElement>("[data-typing]");
  if (!line) return;
  const now = Date.now();
  for (const [user, entry] of typing) if (entry.until < now) typing.delete(user);
  const names = [...typing.values()].map((entry) => entry.name);
  line.textContent = !names.length
    ? ""
    : names.length === 1
      ? fill(strings.typingOne, { name: names[0] })
      : fill(strings.typingMany, { names: names.join(", ") });
}
window.setInterval(renderTyping, 1000);

async function loadPresence(): Promise<void> {
  if (!current) return;
  const states = await json<Record<string, string>>(`rooms/${current.id}/presence/`);
  presence.clear();
  for (const [user, state] of Object.entries(states)) presence.set(user, state);
  renderPresence();
}

function renderPresence(): void {
  const badge = $<HTMLElement>("[data-online]");
  if (!badge) return;
  const online = [...presence.values()].filter((state) => state === "online").length;
  badge.textContent = fill(strings.online, { n: online });
  badge.hidden = online === 0;
}

let typingSent = 0;
let typingStop = 0;
function typed(): void {
  if (!current) return;
  const stream = current.stream;
  if (Date.now() - typingSent > 3000) {
    client.signal(stream, "chat.typing", { typing: true });
    typingSent = Date.now();
  }
  window.clearTimeout(typingStop);
  typingStop = window.setTimeout(() => stopTyping(), 5000);
}

function stopTyping(): void {
  if (!current || !typingSent) return;
  window.clearTimeout(typingStop);
  client.signal(current.stream, "chat.typing", { typing: false });
  typingSent = 0;
}

// ---------------------------------------------------------------- reading

let readTimer = 0;
function markRead(): void {
  if (!current?.role || document.visibilityState !== "visible") return;
  window.clearTimeout(readTimer);
  readTimer = window.setTimeout(async () => {
    const latest = Math.max(0, ...[...messages.values()].map((m) => m.seq));
    if (!current || !latest) return;
    const room = await json<Room>(`rooms/${current.id}/read/`, "POST", { seq: latest }).catch(() => null);
    if (room) {
      rooms.set(room.id, room);
      renderRooms();
    }
  }, 500);
}
document.addEventListener("visibilitychange", markRead);

// ---------------------------------------------------------------- composer

interface Pending {
  file: File;
  attachment?: Attachment;
  done: Promise<void>;
  row: HTMLLIElement;
}
const pending: Pending[] = [];

function showError(text: string): void {
  const box = $<HTMLElement>("[data-composer-error]");
  if (!box) return;
  box.querySelector("p")!.textContent = text;
  box.hidden = !text;
}

async function act(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
    showError("");
  } catch (error) {
    showError(error instanceof ApiError ? error.message : strings.error);
  }
}

function addFiles(files: FileList | File[]): void {
  if (!current) return;
  const room = current.id;
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
    remove.onclick = () => {
      pending.splice(pending.indexOf(entry), 1);
      row.remove();
    };
    entry.done = upload(room, file, (done) => (bar.value = done))
      .then((attachment) => {
        entry.attachment = attachment;
        bar.value = 1;
        row.dataset.uploaded = attachment.id;
      })
      .catch((error: unknown) => {
        pending.splice(pending.indexOf(entry), 1);
        row.remove();
        const reason = error instanceof ApiError ? error.message : strings.error;
        showError(fill(strings.uploadFailed, { name: file.name, reason }));
      });
    pending.push(entry);
  }
}

/** Send once, retrying network failures with the same transaction id (never a duplicate). */
async function send(body: string, attachments: string[], replyTo: string | null): Promise<void> {
  if (!current) return;
  const data = { txn_id: transactionId(), body, attachments, reply_to: replyTo };
  for (let attempt = 0; ; attempt++) {
    try {
      await json(`rooms/${current.id}/messages/`, "POST", data);
      return;
    } catch (error) {
      if (error instanceof ApiError || attempt >= 5) throw error;
      await new Promise((resolve) => window.setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

async function submitComposer(): Promise<void> {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  if (!text || !current) return;
  await Promise.all(pending.map((entry) => entry.done));
  const body = text.value;
  const sending = pending.splice(0);
  const files = sending.filter((entry) => entry.attachment).map((entry) => entry.attachment!.id);
  if (!body.trim() && !files.length) return;
  // The composer is free again at once; what could not be sent comes back into it.
  text.value = "";
  sending.forEach((entry) => (entry.row.hidden = true));
  stopTyping();
  await setPreview(false);
  await act(async () => {
    try {
      await send(body, files, null);
      sending.forEach((entry) => entry.row.remove());
    } catch (error) {
      if (!text.value) text.value = body;
      pending.unshift(...sending);
      sending.forEach((entry) => (entry.row.hidden = false));
      throw error;
    }
  });
}

async function setPreview(on: boolean): Promise<void> {
  const text = $<HTMLTextAreaElement>("[data-composer-text]");
  const preview = $<HTMLElement>("[data-preview]");
  const toggle = $<HTMLButtonElement>("[data-preview-toggle]");
  if (!text || !preview || !toggle || !current) return;
  if (on) {
    const rendered = await json<{ html: string }>("rooms/preview/", "POST", { body: text.value });
    preview.innerHTML = rendered.html; // sanitized by the server
  }
  preview.hidden = !on;
  text.hidden = on;
  toggle.setAttribute("aria-pressed", String(on));
}

function editInPlace(message: Message, item: HTMLElement): void {
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

// ---------------------------------------------------------------- thread panel

async function openThread(message: Message, focus = true): Promise<void> {
  const panel = $<HTMLElement>("[data-thread]");
  const list = $<HTMLOListElement>("[data-thread-messages]");
  if (!panel || !list) return;
  threadRoot = message;
  const replies = await json<Message[]>(`messages/${message.id}/thread/`);
  for (const reply of replies) messages.set(reply.id, reply);
  list.replaceChildren(
    messageElement(messages.get(message.id) ?? message, actions, true),
    ...replies.map((reply) => messageElement(reply, actions, true)),
  );
  panel.hidden = false;
  root?.classList.add("ens-chat--thread-open");
  if (focus) $<HTMLTextAreaElement>("[data-thread-text]")?.focus();
}

function closeThread(): void {
  threadRoot = undefined;
  const panel = $<HTMLElement>("[data-thread]");
  if (panel) panel.hidden = true;
  root?.classList.remove("ens-chat--thread-open");
}

// ---------------------------------------------------------------- the room

function renderHead(): void {
  if (!current) return;
  const name = $<HTMLElement>("[data-room-name]");
  const topic = $<HTMLElement>("[data-room-topic]");
  if (name) name.textContent = current.title || strings.direct;
  if (topic) {
    // A topic that is one web address (a meeting's chat has its meeting's link) is a link.
    const address = /^https?:\/\/\S+$/.test(current.topic) ? current.topic : "";
    const link = Object.assign(document.createElement("a"), { href: address, textContent: address, className: "fr-link fr-link--sm" });
    topic.replaceChildren(address ? link : current.topic);
  }
  actions.canPost = Boolean(current.abilities.post);
  actions.canModerate = Boolean(current.abilities.moderate);
  const composer = $<HTMLFormElement>("[data-composer]");
  const join = $<HTMLButtonElement>("[data-join]");
  if (composer) composer.hidden = !actions.canPost;
  if (join) join.hidden = !current.abilities.join;
  const notifyGroup = $<HTMLElement>("[data-notify-group]");
  const notify = $<HTMLSelectElement>("[data-notify]");
  const leave = $<HTMLButtonElement>("[data-leave]");
  if (notifyGroup && notify) {
    notifyGroup.hidden = !current.role;
    notify.value = current.notify ?? "mentions";
  }
  if (leave) leave.hidden = !current.role || current.kind === "direct";
  const notice = !actions.canPost ? (current.archived_at ? strings.archived : strings.readOnly) : "";
  const typingLine = $<HTMLElement>("[data-typing]");
  if (typingLine && notice) typingLine.textContent = notice;
}

async function reloadRoom(): Promise<void> {
  if (!roomId) return;
  current = await json<Room>(`rooms/${roomId}/`);
  rooms.set(current.id, current);
  renderHead();
  renderRooms();
  for (const message of messages.values()) place(message);
}

function wireComposer(): void {
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
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
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
  $<HTMLSelectElement>("[data-notify]")!.onchange = (event) =>
    void act(async () => {
      const level = (event.target as HTMLSelectElement).value;
      current = await json<Room>(`rooms/${roomId}/notifications/`, "POST", { notify: level });
      rooms.set(current.id, current);
    });
  $<HTMLButtonElement>("[data-leave]")!.onclick = () => {
    if (!window.confirm(strings.confirmLeave)) return;
    void act(async () => {
      await call(`rooms/${roomId}/leave/`, "POST");
      window.location.href = "/chat/";
    });
  };
  $<HTMLButtonElement>("[data-join]")!.onclick = () =>
    void act(async () => {
      await json(`rooms/${roomId}/join/`, "POST");
      await reloadRoom();
    });

  const threadForm = $<HTMLFormElement>("[data-thread-composer]");
  const threadText = $<HTMLTextAreaElement>("[data-thread-text]");
  if (threadForm && threadText) {
    const reply = (): void => {
      if (!threadRoot || !threadText.value.trim()) return;
      void act(async () => {
        await send(threadText.value, [], threadRoot!.id);
        threadText.value = "";
      });
    };
    threadForm.onsubmit = (event) => {
      event.preventDefault();
      reply();
    };
    threadText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        reply();
      }
    });
  }
  $<HTMLButtonElement>("[data-thread-close]")!.onclick = closeThread;
}

function wireNewRoom(): void {
  const toggle = $<HTMLButtonElement>("[data-new-room-toggle]");
  const form = $<HTMLFormElement>("[data-new-room]");
  if (!toggle || !form) return;
  toggle.onclick = () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    void json<Room>("rooms/", "POST", data)
      .then((room) => (window.location.href = `/chat/${room.id}/`))
      .catch((error: unknown) => window.alert(error instanceof ApiError ? error.message : strings.error));
  };
}

async function start(): Promise<void> {
  if (!root) return;
  client.onstatus((connected) => {
    root.toggleAttribute("data-live", connected);
    const offline = $<HTMLElement>("[data-offline]");
    if (offline) offline.hidden = connected;
  });
  wireNewRoom();
  await loadRooms();
  if (!roomId) return;
  current = rooms.get(roomId) ?? (await json<Room>(`rooms/${roomId}/`));
  renderHead();
  wireComposer();
  await loadHistory();
  scrollToBottom();
  void loadPresence();
  const sentinel = $("[data-sentinel]");
  if (sentinel) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadHistory();
    }, { root: timeline() }).observe(sentinel);
  }
}

void start();
