// Breakout rooms on the meeting page. Hosts and moderators get a panel (how many rooms, at
// random or by hand, a timer; once open, a room to choose for each person — someone who came
// in late, or a move —, a message to every room, "bring everyone back", a visit to any room);
// everyone gets a banner saying which room they are in and how long is left, and their
// page moves its media to that room (and back) on ``meet.breakout.changed``. The room to be
// in is this module's answer (``room()``); the page reconnects its media when it changes.
import { apiJson } from "../api";
import type { Person } from "./api";

export interface BreakoutRoomInfo {
  id: string;
  name: string;
  janus_room: number | null;
  participants: string[];
}

export interface BreakoutState {
  open: boolean;
  ends_at: string | null;
  rooms: BreakoutRoomInfo[];
}

/** What the page lends this module. */
export interface BreakoutPage {
  myId(): string | null;
  moderates(): boolean;
  people(): Person[]; // admitted now
  move(): Promise<void>; // reconnect the media to ``room()``
  notice(text: string): void;
  failure(error: unknown): string;
}

type Strings = Record<string, string>;

const fill = (text: string, values: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (_all, name: string) => String(values[name] ?? ""));

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const made = Object.assign(document.createElement(tag), props);
  made.append(...children);
  return made;
}

/** "4:05" for 245 seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export class Breakout {
  state: BreakoutState = { open: false, ends_at: null, rooms: [] };
  private visiting: number | null = null; // a moderator's visit to a room
  private readonly strings: Strings;
  private readonly banner: HTMLElement;
  private readonly messages: HTMLElement;
  private readonly panel: HTMLElement;
  private ticking = 0;
  private live = new Set<number>();
  private asked = false; // the server asked once the countdown ended

  constructor(
    private readonly code: string,
    root: HTMLElement,
    private readonly page: BreakoutPage,
  ) {
    this.strings = JSON.parse(document.getElementById("breakout-strings")?.textContent ?? "{}");
    const stage = root.querySelector(".ens-meet__stage") ?? root;
    this.banner = element("div", { className: "fr-notice fr-notice--info ens-meet__breakout" });
    this.banner.dataset.breakoutBanner = "";
    this.banner.hidden = true;
    this.banner.setAttribute("role", "status");
    this.messages = element("div", { className: "ens-meet__breakout-messages" });
    this.messages.setAttribute("aria-live", "assertive");
    stage.prepend(this.banner, this.messages);
    this.panel = element("section", { className: "fr-mt-2w" });
    this.panel.dataset.breakoutPanel = "";
    this.panel.hidden = true;
    root.querySelector("[data-moderation]")?.append(this.panel);
  }

  private url(path = ""): string {
    return `/api/v1/meet/meetings/${this.code}/breakout/${path}`;
  }

  /** The Janus room this page belongs in now; null: the meeting's own room. */
  room(): number | null {
    if (!this.state.open) return null;
    if (this.visiting !== null) return this.visiting;
    return this.mine()?.janus_room ?? null;
  }

  private mine(): BreakoutRoomInfo | undefined {
    const id = this.page.myId();
    return this.state.rooms.find((room) => id !== null && room.participants.includes(id));
  }

  private placed(): Set<string> {
    return new Set(this.state.rooms.flatMap((room) => room.participants));
  }

  /** The feeds publishing in the Janus room this page is in (the page tells it). */
  publishing(feeds: number[]): void {
    this.live = new Set(feeds);
  }

  /** Whether someone's tile belongs on this page's stage: oneself, whoever publishes in
   * this room (a moderator visiting), and the people placed in it; in the main room, the
   * people placed in no room. */
  here(person: Person): boolean {
    if (person.id === this.page.myId() || (person.feed !== null && this.live.has(person.feed))) return true;
    const room = this.room();
    if (room === null) return !this.placed().has(person.id);
    const shown = this.state.rooms.find((candidate) => candidate.janus_room === room);
    return shown?.participants.includes(person.id) ?? false;
  }

  async load(): Promise<void> {
    await this.apply(await apiJson<BreakoutState>(this.url()));
  }

  onEvent(name: string, payload: Record<string, unknown>): void {
    if (name === "meet.breakout.changed") void this.apply(payload as unknown as BreakoutState);
    if (name === "meet.breakout.message") this.showMessage(String(payload.by), String(payload.text), String(payload.at));
  }

  private async apply(state: BreakoutState): Promise<void> {
    const before = this.room();
    this.state = state;
    this.asked = false;
    if (!state.open) this.visiting = null;
    this.render();
    const after = this.room();
    if (after === before) return;
    this.live.clear(); // the old room's publishers
    const shown = this.state.rooms.find((room) => room.janus_room === after);
    this.page.notice(shown ? fill(this.strings.movedTo, { room: shown.name }) : this.strings.backInMain);
    await this.page.move();
  }

  private async visit(room: number | null): Promise<void> {
    this.visiting = room;
    this.live.clear();
    this.render();
    await this.page.move();
  }

  // ------------------------------------------------------------------ what everyone sees

  private render(): void {
    this.renderBanner();
    this.renderPanel();
    window.clearInterval(this.ticking);
    if (this.state.open && this.state.ends_at) this.ticking = window.setInterval(() => this.tick(), 1000);
  }

  private remaining(): number | null {
    return this.state.ends_at ? (Date.parse(this.state.ends_at) - Date.now()) / 1000 : null;
  }

  private renderBanner(): void {
    this.banner.hidden = !this.state.open;
    if (!this.state.open) return;
    const room = this.room();
    const shown = this.state.rooms.find((candidate) => candidate.janus_room === room);
    const where = shown ? fill(this.strings.youAreIn, { room: shown.name }) : this.strings.openNow;
    const left = this.remaining();
    const text = left === null ? where : `${where} ${fill(this.strings.left, { time: clock(left) })}`;
    const body = element("div", { className: "fr-container fr-container--fluid" }, element("p", { className: "fr-notice__title", textContent: text }));
    this.banner.replaceChildren(body);
  }

  private tick(): void {
    const left = this.remaining();
    this.renderBanner();
    const timer = this.panel.querySelector<HTMLElement>("[data-breakout-left]");
    if (timer && left !== null) timer.textContent = fill(this.strings.left, { time: clock(left) });
    if (left !== null && left <= 0 && !this.asked) {
      this.asked = true; // reading it closes it on the server, which tells everyone
      window.setTimeout(() => void this.load().catch(() => (this.asked = false)), 500);
    }
  }

  private showMessage(by: string, text: string, at: string): void {
    if (Math.abs(Date.now() - Date.parse(at)) > 10 * 60_000) return; // caught up long after
    const close = element("button", { type: "button", className: "fr-btn--close fr-btn", title: this.strings.close, textContent: this.strings.close });
    const alert = element("div", { className: "fr-alert fr-alert--info fr-alert--sm" }, element("p", { textContent: fill(this.strings.messageFrom, { name: by, text }) }), close);
    alert.dataset.breakoutMessage = "";
    close.addEventListener("click", () => alert.remove());
    this.messages.append(alert);
  }

  // ------------------------------------------------------------------ the hosts' panel

  private renderPanel(): void {
    this.panel.hidden = !this.page.moderates();
    if (this.panel.hidden) return;
    this.redrawPeople = null;
    const title = element("h2", { className: "fr-h6", textContent: this.strings.title });
    this.panel.replaceChildren(title, this.state.open ? this.openPanel() : this.planForm());
  }

  /** As people come and go (the page calls it after each change of its people list): the
   * rooms shown again, or the plan's list of people redrawn (what was chosen is kept). */
  refresh(): void {
    if (this.panel.hidden !== !this.page.moderates()) return this.renderPanel();
    if (this.state.open) {
      if (!this.panel.contains(document.activeElement)) this.renderPanel(); // not while writing
      return;
    }
    if (this.redrawPeople) this.redrawPeople();
    else this.renderPanel();
  }

  private redrawPeople: (() => void) | null = null;

  private planForm(): HTMLElement {
    const form = element("form", { className: "ens-meet__breakout-form" });
    form.dataset.breakoutForm = "";
    const count = element("input", { className: "fr-input", type: "number", id: "breakout-count", min: "1", max: "50", value: "2" });
    count.dataset.breakoutCount = "";
    const minutes = element("input", { className: "fr-input", type: "number", id: "breakout-minutes", min: "1", max: "1440" });
    minutes.dataset.breakoutMinutes = "";
    const mode = (value: string, label: string, checked: boolean): HTMLElement => {
      const input = element("input", { type: "radio", name: "breakout-mode", id: `breakout-${value}`, value, checked });
      input.dataset.breakoutMode = value;
      const group = element("div", { className: "fr-radio-group fr-radio-group--sm" }, input, element("label", { className: "fr-label", htmlFor: `breakout-${value}`, textContent: label }));
      return element("div", { className: "fr-fieldset__element" }, group);
    };
    const modes = element("fieldset", { className: "fr-fieldset" }, mode("random", this.strings.random, true), mode("hand", this.strings.byHand, false));
    const people = element("ul", { className: "ens-meet__people" });
    people.dataset.breakoutPeople = "";
    let drawn = "";
    const drawPeople = (): void => {
      const n = Math.min(50, Math.max(1, Number(count.value) || 1));
      const shown = this.page.people().filter((person) => person.id !== this.page.myId());
      const byHand = form.querySelector<HTMLInputElement>("[data-breakout-mode=hand]")?.checked ?? false;
      const key = `${n}:${byHand}:${shown.map((person) => `${person.id}/${person.role}`).join(",")}`;
      if (key === drawn) return; // nothing changed: what is being chosen stays as it is
      drawn = key;
      people.hidden = !byHand;
      const kept = new Map([...people.querySelectorAll<HTMLSelectElement>("select")].map((select) => [select.name, select.value]));
      people.replaceChildren(
        ...shown.map((person, index) => {
            const select = element("select", { className: "fr-select", name: person.id, id: `breakout-${person.id}` });
            select.append(new Option(this.strings.mainRoom, ""));
            for (let room = 1; room <= n; room++) select.append(new Option(fill(this.strings.room, { n: room }), String(room)));
            select.value = kept.get(person.id) ?? (person.role === "participant" ? String((index % n) + 1) : "");
            if (!select.value) select.value = "";
            const label = element("label", { className: "fr-label", htmlFor: select.id, textContent: person.display_name });
            return element("li", { className: "ens-meet__breakout-person" }, label, select);
          }),
      );
    };
    this.redrawPeople = drawPeople;
    count.addEventListener("input", drawPeople);
    modes.addEventListener("change", drawPeople);
    drawPeople();
    const submit = element("button", { className: "fr-btn fr-btn--sm", type: "submit", textContent: this.strings.open });
    submit.dataset.breakoutOpen = "";
    form.append(
      element("div", { className: "fr-input-group" }, element("label", { className: "fr-label", htmlFor: count.id, textContent: this.strings.rooms }), count),
      modes,
      people,
      element("div", { className: "fr-input-group" }, element("label", { className: "fr-label", htmlFor: minutes.id, textContent: this.strings.minutes }), minutes),
      submit,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const n = Number(count.value) || 0;
      const body: Record<string, unknown> = { minutes: minutes.value ? Number(minutes.value) : null };
      if (people.hidden) body.count = n;
      else {
        const rooms: string[][] = Array.from({ length: n }, () => []);
        for (const select of people.querySelectorAll<HTMLSelectElement>("select")) {
          if (select.value) rooms[Number(select.value) - 1]?.push(select.name);
        }
        body.rooms = rooms;
      }
      submit.disabled = true;
      apiJson<BreakoutState>(this.url(), "POST", body)
        .then((state) => this.apply(state))
        .catch((error) => this.page.notice(this.page.failure(error)))
        .finally(() => (submit.disabled = false));
    });
    return form;
  }

  private openPanel(): HTMLElement {
    const box = element("div");
    const names = new Map(this.page.people().map((person) => [person.id, person.display_name]));
    const left = element("p", { className: "fr-text--sm" });
    left.dataset.breakoutLeft = "";
    const remaining = this.remaining();
    if (remaining !== null) left.textContent = fill(this.strings.left, { time: clock(remaining) });
    const list = element("ul", { className: "ens-meet__people" });
    for (const room of this.state.rooms) {
      const who = room.participants.map((id) => names.get(id)).filter(Boolean).join(", ") || this.strings.nobody;
      const here = this.room() === room.janus_room;
      const item = element("li", {}, element("strong", { textContent: room.name }), element("span", { className: "fr-text--sm", textContent: ` — ${who} ` }));
      item.dataset.breakoutRoom = room.name;
      if (!here) item.append(this.button(this.strings.join, "fr-btn--tertiary", () => this.visit(room.janus_room)));
      list.append(item);
    }
    const text = element("textarea", { className: "fr-input", id: "breakout-message", rows: 2, maxLength: 500 });
    text.dataset.breakoutText = "";
    const send = this.button(this.strings.send, "fr-btn--secondary", async () => {
      if (!text.value.trim()) return;
      await apiJson(this.url("broadcast/"), "POST", { text: text.value });
      text.value = "";
      this.page.notice(this.strings.sent);
    });
    send.dataset.breakoutSend = "";
    const back = this.button(this.strings.bringBack, "", async () => this.apply(await apiJson<BreakoutState>(this.url("close/"), "POST")));
    back.dataset.breakoutClose = "";
    box.append(left, list, ...this.placing());
    if (this.visiting !== null) box.append(this.button(this.strings.back, "fr-btn--tertiary", () => this.visit(null)));
    box.append(element("div", { className: "fr-input-group" }, element("label", { className: "fr-label", htmlFor: text.id, textContent: this.strings.message }), text), element("div", { className: "fr-btns-group fr-btns-group--sm fr-btns-group--inline" }, send, back));
    return box;
  }

  /** Each person but oneself with the room they are in (the main room: placed nowhere, as
   * whoever came in after the rooms opened), to choose another; their page follows. */
  private placing(): HTMLElement[] {
    const seats = new Map(this.state.rooms.flatMap((room) => room.participants.map((id) => [id, room.id] as const)));
    const list = element("ul", { className: "ens-meet__people" });
    list.dataset.breakoutPlacing = "";
    for (const person of this.page.people().filter((someone) => someone.id !== this.page.myId())) {
      const select = element("select", { className: "fr-select", id: `breakout-place-${person.id}` });
      select.dataset.breakoutPlace = person.id;
      select.append(new Option(this.strings.mainRoom, ""));
      for (const room of this.state.rooms) select.append(new Option(room.name, room.id));
      select.value = seats.get(person.id) ?? "";
      select.addEventListener("change", () => {
        const room = this.state.rooms.find((candidate) => candidate.id === select.value);
        select.disabled = true;
        apiJson<BreakoutState>(this.url("place/"), "POST", { participant: person.id, room: room?.id ?? null })
          .then((state) => {
            const name = person.display_name;
            this.page.notice(room ? fill(this.strings.placed, { name, room: room.name }) : fill(this.strings.placedMain, { name }));
            return this.apply(state);
          })
          .catch((error) => {
            select.value = seats.get(person.id) ?? "";
            this.page.notice(this.page.failure(error));
          })
          .finally(() => (select.disabled = false));
      });
      const label = element("label", { className: "fr-label", htmlFor: select.id, textContent: person.display_name });
      list.append(element("li", { className: "ens-meet__breakout-person" }, label, select));
    }
    if (!list.childElementCount) return [];
    const title = element("h3", { className: "fr-text--md fr-mb-1v", textContent: this.strings.whoWhere });
    const hint = element("p", { className: "fr-hint-text fr-mb-1w", textContent: this.strings.whoWhereHint });
    return [title, hint, list];
  }

  private button(label: string, kind: string, act: () => Promise<unknown>): HTMLButtonElement {
    const made = element("button", { type: "button", className: `fr-btn fr-btn--sm ${kind}`.trim(), textContent: label });
    made.addEventListener("click", () => {
      made.disabled = true;
      act()
        .catch((error) => this.page.notice(this.page.failure(error)))
        .finally(() => (made.disabled = false));
    });
    return made;
  }
}
