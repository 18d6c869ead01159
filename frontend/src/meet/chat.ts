// The meeting's chat: a room of the Chat app. The page shows its latest messages, follows its
// stream (on the socket with an account; guests ask for its events every two seconds), and
// writes through Meet, which lets guests in. A send is retried with the same transaction id,
// so a lost answer never makes a second message.
import { ApiError, apiJson } from "../api";
import { streamClient } from "../stream";
import type { ChatMessage, MeetApi, WireEvent } from "./api";
import type { Strings } from "./stage";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => window.setTimeout(resolve, ms));

export class MeetingChat {
  private readonly items = new Map<string, HTMLLIElement>();
  private room = "";
  private seq = 0; // where the stream was read up to (guests)
  private shown = 0; // the latest message shown, read once seen
  private unread = 0;
  private readTimer = 0;

  constructor(
    private readonly api: MeetApi,
    private readonly root: HTMLElement,
    private readonly strings: Strings,
    private readonly signedIn: boolean,
  ) {}

  private get list(): HTMLOListElement {
    return this.root.querySelector<HTMLOListElement>("[data-chat-messages]")!;
  }

  private get badge(): HTMLElement {
    return this.root.querySelector<HTMLElement>("[data-chat-unread]")!;
  }

  /** Load the latest messages, then follow the room for as long as ``inside`` holds. */
  async start(inside: () => boolean): Promise<void> {
    const chat = await this.api.chat();
    this.room = chat.room;
    this.seq = chat.seq;
    for (const message of chat.messages) this.show(message, false);
    const open = this.root.querySelector<HTMLAnchorElement>("[data-chat-open]");
    if (open && this.signedIn) {
      open.href = `/chat/${chat.room}/`;
      open.hidden = false;
    }
    if (this.signedIn) {
      streamClient().follow(chat.stream, chat.seq, (event) => this.onEvent(event));
      return;
    }
    while (inside()) {
      await sleep(2000);
      try {
        const page = await this.api.events(this.seq, "chat");
        for (const event of page.events) this.onEvent(event);
        this.seq = page.events.length ? page.events[page.events.length - 1].seq : Math.max(this.seq, page.seq);
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) return; // out of the meeting
      }
    }
  }

  onEvent(event: WireEvent): void {
    const payload = event.payload;
    const item = this.items.get(String(payload.id));
    switch (event.event) {
      case "chat.message.created":
        this.show(payload as unknown as ChatMessage, true);
        return;
      case "chat.message.edited":
        if (item) this.body(item, String(payload.html), false, true);
        return;
      case "chat.message.deleted":
        if (item) this.body(item, "", true, false);
        return;
    }
  }

  /** Send ``text``: tried again on a network failure, under the same transaction id. */
  async send(text: string): Promise<void> {
    const txn = `meet-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    for (let attempt = 0; ; attempt++) {
      try {
        this.show(await this.api.say(text, txn), false);
        return;
      } catch (error) {
        if (error instanceof ApiError || attempt >= 3) throw error;
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  /** The panel may have been opened: if it shows, nothing is unread any more (in Chat too,
   * with an account). */
  opened(): void {
    if (!this.isOpen()) return;
    this.unread = 0;
    this.badge.hidden = true;
    this.markRead();
  }

  private isOpen(): boolean {
    const side = this.root.querySelector<HTMLElement>("[data-side]");
    const panel = this.root.querySelector<HTMLElement>("[data-panel=chat]");
    return !!side && !side.hidden && !!panel?.classList.contains("fr-tabs__panel--selected");
  }

  private show(message: ChatMessage, live: boolean): void {
    this.shown = Math.max(this.shown, message.seq);
    const known = this.items.get(message.id);
    if (known) return; // ours, already shown from the answer; or seen again after a reconnection
    const item = document.createElement("li");
    item.dataset.message = message.id;
    const time = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    item.append(Object.assign(document.createElement("strong"), { textContent: message.author_name }));
    if (message.guest) item.append(" ", Object.assign(document.createElement("span"), { className: "fr-badge fr-badge--sm fr-badge--no-icon", textContent: this.strings.guest }));
    item.append(` · ${time}`);
    this.body(item, message.html, message.deleted, message.edited);
    const list = this.list;
    const following = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const later = [...list.children].find((other) => Number((other as HTMLElement).dataset.seq) > message.seq);
    item.dataset.seq = String(message.seq);
    list.insertBefore(item, later ?? null);
    this.items.set(message.id, item);
    if (following || !live) list.scrollTop = list.scrollHeight;
    if (!live) return;
    if (this.isOpen()) return this.markRead();
    this.unread += 1;
    this.badge.hidden = false;
    this.badge.textContent = String(this.unread);
  }

  private body(item: HTMLLIElement, html: string, deleted: boolean, edited: boolean): void {
    item.querySelector(".ens-meet__chat-body")?.remove();
    const body = document.createElement("div");
    body.className = "ens-meet__chat-body";
    if (deleted) body.append(Object.assign(document.createElement("em"), { textContent: this.strings.deleted }));
    else body.innerHTML = html; // sanitized by the server (nh3)
    if (edited && !deleted) body.append(Object.assign(document.createElement("small"), { textContent: ` ${this.strings.edited}` }));
    item.append(body);
  }

  /** With an account, what the page showed counts as read in Chat too (once a second). */
  private markRead(): void {
    if (!this.signedIn || !this.room || this.readTimer) return;
    this.readTimer = window.setTimeout(() => {
      this.readTimer = 0;
      void apiJson(`/api/v1/chat/rooms/${this.room}/read/`, "POST", { seq: this.shown }).catch(() => undefined);
    }, 1000);
  }
}
