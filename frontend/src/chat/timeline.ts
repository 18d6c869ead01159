// The timeline: history from the API (the latest page, or the page around a message opened
// from a search or a pin), older and newer pages as one scrolls, then the room's live stream.
import type { StreamEvent } from "../stream";
import { call, json, type Message, type Room } from "./api";
import { $, act, client, me, messages, root, rooms, state, strings } from "./context";
import { isExternal } from "./people";
import { applySignal, forgetTyping } from "./presence";
import { element, fill, messageElement, type MessageActions } from "./render";
import { renderRooms } from "./rooms";
import { editInPlace } from "./composer";
import { applyToMessages } from "./events";
import { closePanel } from "./panels";
import { openThread, threadShows } from "./thread";

let oldestSeq = Number.MAX_SAFE_INTEGER;
let newestSeq = 0;
let historyDone = false;
let caughtUp = true; // false while a message opened in context is far from the present
let loading = false;
let highlighted: number | null = null; // the message opened from a search or a pin
const listeners: ((event: StreamEvent) => void)[] = [];

/** Call ``listener`` with each event of the open room's stream (after the timeline's own work). */
export function onEvent(listener: (event: StreamEvent) => void): void {
  listeners.push(listener);
}

export const actions: MessageActions = {
  me,
  strings,
  canModerate: false,
  canPost: false,
  replies: (id) => [...messages.values()].filter((m) => m.reply_to === id).length,
  parent: (id) => messages.get(id),
  external: isExternal,
  react: (message, emoji, on) => void act(() => json(`messages/${message.id}/reactions/`, "POST", { emoji, on })),
  openThread: (message) => void openThread(message),
  edit: (message, element) => editInPlace(message, element),
  pin: (message, pinned) => void act(() => json(`messages/${message.id}/pin/`, "POST", { pinned })),
  remove: (message) => {
    if (window.confirm(strings.confirmDelete)) void act(() => call(`messages/${message.id}/`, "DELETE"));
  },
};

export function timeline(): HTMLElement | null {
  return $("[data-timeline]");
}

function atBottom(): boolean {
  const box = timeline();
  return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

export function scrollToBottom(): void {
  const box = timeline();
  if (box) box.scrollTop = box.scrollHeight;
}

export function place(message: Message): void {
  const list = $<HTMLOListElement>("[data-messages]");
  if (!list) return;
  const fresh = messageElement(message, actions);
  if (message.seq === highlighted) {
    fresh.classList.add("ens-msg--highlight");
    fresh.dataset.highlight = "";
  }
  const existing = list.querySelector(`[data-message="${message.id}"]`);
  if (existing) {
    // Drawn again (a reaction, a scan, an edit elsewhere): what the reader is doing with it
    // stays: an edit in progress is not wiped, an open reaction picker stays open.
    if (existing.querySelector("[data-edit-text]")) return;
    const picking = existing.querySelector<HTMLElement>(".ens-msg__picker:not([hidden])");
    existing.replaceWith(fresh);
    const picker = fresh.querySelector<HTMLElement>(".ens-msg__picker");
    if (picking && picker) picker.hidden = false;
    return;
  }
  const later = [...list.children].find((node) => Number((node as HTMLElement).dataset.seq) > message.seq);
  list.insertBefore(fresh, later ?? null);
}

export function rerender(id: string | null): void {
  const message = id ? messages.get(id) : undefined;
  if (message) place(message);
  if (message && threadShows(message)) void openThread(message.reply_to ? messages.get(message.reply_to) ?? message : message, false);
}

export function rerenderAll(): void {
  for (const message of messages.values()) place(message);
}

function take(page: Message[]): void {
  for (const message of page) {
    messages.set(message.id, message);
    oldestSeq = Math.min(oldestSeq, message.seq);
    newestSeq = Math.max(newestSeq, message.seq);
  }
  for (const message of page) place(message);
  for (const message of page) if (message.reply_to) rerender(message.reply_to);
}

/** The first page: the latest messages, or those around ``around`` (a seq). */
export async function loadFirst(around?: number): Promise<void> {
  if (!state.current) return;
  const query = around === undefined ? "" : `?around=${around}`;
  const response = await call(`rooms/${state.current.id}/messages/${query}`);
  const page = (await response.json()) as Message[];
  take(page);
  if (around === undefined) {
    historyDone = page.length < 50;
  } else {
    caughtUp = page.length < 50;
    historyDone = page.filter((message) => message.seq < around).length < 25;
  }
  showHistoryEnd();
  client.follow(state.current.stream, Number(response.headers.get("X-Stream-Seq") ?? 0), applyEvent, applySignal);
  markRead();
}

function showHistoryEnd(): void {
  const end = $<HTMLElement>("[data-history-end]");
  if (end) end.hidden = !historyDone;
}

/** Older messages (scrolling up) keep what the reader was looking at in place. */
export async function loadOlder(): Promise<void> {
  if (!state.current || historyDone || loading) return;
  loading = true;
  const box = timeline();
  const before = box ? box.scrollHeight - box.scrollTop : 0;
  try {
    const page = await json<Message[]>(`rooms/${state.current.id}/messages/?before=${oldestSeq}`);
    take(page);
    historyDone = page.length < 50;
    showHistoryEnd();
    if (box) box.scrollTop = box.scrollHeight - before;
  } finally {
    loading = false;
  }
}

/** Newer messages, after a message opened far back in its context. */
export async function loadNewer(): Promise<void> {
  if (!state.current || caughtUp || loading) return;
  loading = true;
  try {
    const page = await json<Message[]>(`rooms/${state.current.id}/messages/?after=${newestSeq}`);
    take(page);
    caughtUp = page.length < 50;
    markRead();
  } finally {
    loading = false;
  }
}

/** Scroll to a message and mark it for a few seconds (a search result, a pin). */
export function highlight(seq: number): boolean {
  const item = $<HTMLElement>(`[data-messages] [data-seq="${seq}"]`);
  if (!item) return false;
  for (const old of root?.querySelectorAll<HTMLElement>("[data-highlight]") ?? []) {
    old.classList.remove("ens-msg--highlight");
    delete old.dataset.highlight;
  }
  highlighted = seq; // kept when the message is drawn again
  item.classList.add("ens-msg--highlight");
  item.dataset.highlight = "";
  item.scrollIntoView({ block: "center" });
  return true;
}

/** Show a message of the open room: scrolled to if loaded, else the room reopened around it. */
export function showMessage(room: string, seq: number): void {
  if (room === state.current?.id && highlight(seq)) return;
  window.location.href = `/chat/${room}/?at=${seq}`;
}

function applyEvent(event: StreamEvent): void {
  const payload = event.payload;
  const created = event.event === "chat.message.created" ? (payload as unknown as Message) : null;
  const follow = atBottom() && caughtUp;
  for (const id of applyToMessages(messages, event)) rerender(id);
  if (created) {
    newestSeq = caughtUp ? Math.max(newestSeq, created.seq) : newestSeq;
    forgetTyping(created.author);
    if (follow || created.author === me) scrollToBottom();
    markRead();
  }
  if (event.event === "chat.member.changed" && payload.user === me && (payload.state === "removed" || payload.state === "banned")) {
    lostAccess(payload.state === "banned");
    return;
  }
  for (const listener of listeners) listener(event);
}

/** Removed or banned: the room's messages leave the page, which says so (the server has already
 * stopped sending the room's stream to this person). */
function lostAccess(banned: boolean): void {
  const room = state.current;
  messages.clear();
  $("[data-messages]")?.replaceChildren();
  closePanel();
  for (const part of ["[data-composer]", "[data-typing]", "[data-history-end]", ".ens-chat__head-tools"]) $<HTMLElement>(part)?.setAttribute("hidden", "");
  if (room) rooms.delete(room.id);
  renderRooms();
  const alert = element("div", "fr-alert fr-alert--warning fr-mb-2w");
  alert.setAttribute("role", "alert");
  alert.dataset.lostAccess = "";
  const name = room?.title ?? "";
  alert.append(element("p", "", fill(banned ? strings.bannedFrom : strings.removedFrom, { room: name })));
  const back = element("a", "fr-link", strings.backToRooms);
  back.href = "/chat/";
  alert.append(back);
  $("[data-timeline]")?.before(alert);
}

// ---------------------------------------------------------------- reading

let readTimer = 0;
export function markRead(): void {
  if (!state.current?.role || document.visibilityState !== "visible" || !caughtUp) return;
  window.clearTimeout(readTimer);
  readTimer = window.setTimeout(async () => {
    const latest = Math.max(0, ...[...messages.values()].map((m) => m.seq));
    if (!state.current || !latest) return;
    const room = await json<Room>(`rooms/${state.current.id}/read/`, "POST", { seq: latest }).catch(() => null);
    if (room) {
      rooms.set(room.id, room);
      renderRooms();
    }
  }, 500);
}
document.addEventListener("visibilitychange", markRead);

/** Load older pages when the top comes into view, newer ones when the bottom does. */
export function watchEdges(): void {
  const box = timeline();
  const top = $("[data-sentinel]");
  const bottom = $("[data-sentinel-end]");
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        if (entry.target === top) void loadOlder();
        if (entry.target === bottom) void loadNewer();
      }
    },
    { root: box },
  );
  if (top) observer.observe(top);
  if (bottom) observer.observe(bottom);
}
