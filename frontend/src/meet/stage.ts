// The tiles of a meeting: one per person in it (their camera, or their initials) and one per
// shared screen, in a grid or around the active speaker, a page at a time. The page decides
// which videos the browser receives, and at which simulcast layer.
import type { Person } from "./api";
import { layout, type Layout } from "./layout";
import type { Wanted } from "./media";

export type Strings = Record<string, string>;

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? "?").slice(0, 2)).toUpperCase();
}

interface Tile {
  key: string;
  element: HTMLElement;
  video: HTMLVideoElement;
  feed: number | null;
  person: Person | null;
  screen: boolean;
  mine: boolean;
}

export class Stage {
  private readonly tiles = new Map<string, Tile>();
  private readonly audio = new Map<number, HTMLAudioElement>();
  private readonly videos = new Map<number, MediaStreamTrack>();
  private order: string[] = [];
  private live = new Set<number>();
  private mode: "grid" | "speaker" = "grid";
  private page = 0;
  private speaker: number | null = null;
  private myId = "";
  private myFeed = 0;
  private myTrack: MediaStreamTrack | null = null;
  private feedOwner = new Map<number, { person: Person; screen: boolean }>();
  onchange: () => void = () => undefined;

  constructor(
    private readonly box: HTMLElement,
    private readonly pages: HTMLElement,
    private readonly strings: Strings,
    private readonly pageSize: number,
  ) {
    pages.querySelector("[data-page-prev]")?.addEventListener("click", () => this.turn(-1));
    pages.querySelector("[data-page-next]")?.addEventListener("click", () => this.turn(1));
  }

  me(id: string, feed: number, track: MediaStreamTrack | null): void {
    this.myId = id;
    this.myFeed = feed;
    this.myTrack = track;
    for (const tile of this.tiles.values()) {
      tile.mine = !tile.screen && tile.person?.id === id;
      tile.element.classList.toggle("ens-meet__tile--mine", tile.mine);
      this.label(tile);
    }
    this.render();
  }

  localVideo(track: MediaStreamTrack | null, id: string): void {
    this.myId = id || this.myId;
    this.myTrack = track;
    const tile = this.tiles.get(`p:${this.myId}`);
    if (tile) this.show(tile, track);
  }

  owners(owners: Map<number, { person: Person; screen: boolean }>, inside: Person[]): void {
    this.feedOwner = owners;
    const keys: string[] = [];
    for (const [feed, owner] of owners) {
      if (owner.screen && this.live.has(feed)) keys.push(`s:${feed}`);
    }
    for (const person of inside) keys.push(`p:${person.id}`);
    for (const [key, tile] of this.tiles) {
      if (!keys.includes(key)) {
        tile.element.remove();
        this.tiles.delete(key);
      }
    }
    for (const key of keys) {
      const [kind, id] = key.split(":");
      const screen = kind === "s";
      const person = screen ? (owners.get(Number(id))?.person ?? null) : (inside.find((candidate) => candidate.id === id) ?? null);
      const feed = screen ? Number(id) : (person?.feed ?? null);
      let tile = this.tiles.get(key);
      if (!tile) {
        tile = this.newTile(key, screen);
        this.tiles.set(key, tile);
      }
      Object.assign(tile, { person, feed, mine: person?.id === this.myId && !screen });
      tile.element.classList.toggle("ens-meet__tile--mine", tile.mine); // shown as in a mirror
      this.label(tile);
    }
    this.order = keys;
    this.render();
  }

  /** The feeds Janus says are published now. */
  publishing(feeds: number[]): void {
    this.live = new Set(feeds);
  }

  track(feed: number, kind: "audio" | "video", track: MediaStreamTrack | null): void {
    if (kind === "audio") {
      let element = this.audio.get(feed);
      if (!track) {
        element?.remove();
        this.audio.delete(feed);
        return;
      }
      if (!element) {
        element = Object.assign(document.createElement("audio"), { autoplay: true });
        element.dataset.audioFeed = String(feed);
        this.box.append(element);
        this.audio.set(feed, element);
      }
      element.srcObject = new MediaStream([track]);
      return;
    }
    if (track) this.videos.set(feed, track);
    else this.videos.delete(feed);
    for (const tile of this.tiles.values()) if (tile.feed === feed && !tile.mine) this.show(tile, track);
  }

  talking(feed: number, talking: boolean): void {
    const owner = this.feedOwner.get(feed);
    const tile = owner ? this.tiles.get(`p:${owner.person.id}`) : undefined;
    tile?.element.classList.toggle("ens-meet__tile--speaking", talking);
    if (talking && feed !== this.speaker) {
      this.speaker = feed;
      if (this.mode === "speaker") this.render();
    }
  }

  status(inside: Person[]): void {
    for (const person of inside) {
      const tile = this.tiles.get(`p:${person.id}`);
      if (tile) {
        tile.person = person;
        this.label(tile);
      }
    }
  }

  layout(mode: "grid" | "speaker"): void {
    this.mode = mode;
    this.box.dataset.layoutMode = mode;
    this.page = 0;
    this.render();
  }

  clearRemote(): void {
    for (const element of this.audio.values()) element.remove();
    this.audio.clear();
    this.videos.clear();
    this.live.clear();
    for (const tile of this.tiles.values()) if (!tile.mine) this.show(tile, null);
  }

  /** The videos this page shows, the large ones at the high layer. */
  wanted(): Wanted[] {
    const shown = this.visible();
    const main = this.mode === "speaker" ? shown[0] : undefined;
    const grid = this.mode === "grid" && shown.length <= 4;
    return shown
      .filter((tile) => tile.feed !== null && !tile.mine && tile.feed !== this.myFeed)
      .map((tile) => ({ feed: tile.feed!, high: tile === main || tile.screen || grid }));
  }

  private arrange(): Layout {
    const tiles = this.order.map((key) => this.tiles.get(key)).filter((tile): tile is Tile => !!tile);
    return layout(tiles, { mode: this.mode, page: this.page, pageSize: this.pageSize, speaker: this.speaker });
  }

  private visible(): Tile[] {
    return this.arrange().shown.map((info) => this.tiles.get(info.key)!);
  }

  private turn(step: number): void {
    this.page = Math.min(this.arrange().pages - 1, Math.max(0, this.page + step));
    this.render();
  }

  private render(): void {
    const arranged = this.arrange();
    this.page = arranged.page;
    const shown = arranged.shown.map((info) => this.tiles.get(info.key)!);
    for (const tile of this.tiles.values()) {
      tile.element.hidden = !shown.includes(tile);
      tile.element.classList.toggle("ens-meet__tile--main", this.mode === "speaker" && tile === shown[0]);
    }
    for (const tile of shown) this.box.append(tile.element);
    this.box.style.setProperty("--tiles", String(arranged.columns));
    this.box.style.setProperty("--rows", String(arranged.rows));
    this.box.toggleAttribute("data-alone", arranged.alone);
    this.pages.hidden = arranged.pages < 2;
    const label = this.pages.querySelector("[data-page-label]");
    if (label) label.textContent = fill(this.strings.page, { page: this.page + 1, pages: arranged.pages });
    for (const tile of shown) {
      if (tile.mine) this.show(tile, this.myTrack);
      else if (tile.feed !== null) this.show(tile, this.videos.get(tile.feed) ?? null);
    }
    this.onchange();
  }

  private newTile(key: string, screen: boolean): Tile {
    const element = document.createElement("figure");
    element.className = `ens-meet__tile${screen ? " ens-meet__tile--screen" : ""}`;
    element.dataset.tile = key;
    const video = Object.assign(document.createElement("video"), { autoplay: true, playsInline: true, muted: true });
    const face = Object.assign(document.createElement("span"), { className: "ens-meet__face" });
    const caption = document.createElement("figcaption");
    element.append(video, face, caption);
    if (screen) {
      const full = document.createElement("button");
      full.type = "button";
      full.className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-fullscreen-line ens-meet__full";
      full.title = full.textContent = this.strings.fullScreen;
      full.addEventListener("click", () => void element.requestFullscreen?.());
      element.append(full);
    }
    return { key, element, video, feed: null, person: null, screen, mine: false };
  }

  private label(tile: Tile): void {
    const name = tile.person?.display_name ?? "";
    const caption = tile.element.querySelector("figcaption")!;
    caption.textContent = tile.screen ? fill(this.strings.screenOf, { name }) : tile.mine ? fill(this.strings.you, { name }) : name;
    if (!tile.screen && tile.person && !tile.person.microphone) {
      const muted = Object.assign(document.createElement("span"), { className: "fr-icon-volume-mute-fill ens-meet__tile-muted", title: this.strings.muted });
      muted.setAttribute("aria-label", this.strings.muted);
      caption.prepend(muted);
    }
    tile.element.dataset.muted = String(!!tile.person && !tile.person.microphone);
    tile.element.querySelector(".ens-meet__face")!.textContent = initials(name);
  }

  private show(tile: Tile, track: MediaStreamTrack | null): void {
    const current = (tile.video.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null;
    if (current !== track) tile.video.srcObject = track ? new MediaStream([track]) : null;
    tile.element.classList.toggle("ens-meet__tile--video", !!track && (!tile.person || tile.person.camera || tile.screen || tile.mine));
  }
}
