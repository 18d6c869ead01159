// Cards under messages that link to the suite's own objects (a meeting: its title, time and a
// "Join" button), as the server makes them for the reader: only what they may see.
import { json } from "./api";
import { element, strings } from "./context";
import { timeline } from "./timeline";

export interface Card {
  kind: string;
  url: string;
  title: string;
  subtitle: string;
  time: string | null;
  action: string;
}

const known = new Map<string, Promise<Card[]>>(); // per message: asked once

/** Whether a message's text may link to one of the suite's objects (worth asking). */
export function linksHere(body: string, origin: string): boolean {
  return body.includes(`${origin}/`) || /(^|[\s(])\/(meet|docs|drive)\//.test(body);
}

export function cardElement(card: Card): HTMLElement {
  const box = element("div", "ens-chat__card fr-p-2w fr-mt-1w");
  box.dataset.card = card.kind;
  box.append(element("p", "fr-text--md fr-text--bold fr-mb-0", card.title));
  const line = [card.subtitle];
  if (card.time) line.push(new Date(card.time).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" }));
  box.append(element("p", "fr-text--sm fr-mb-1w", line.filter(Boolean).join(" · ")));
  const link = element("a", card.action ? "fr-btn fr-btn--sm" : "fr-link fr-text--sm", card.action || strings.open);
  link.href = card.url;
  box.append(link);
  return box;
}

async function addCards(item: HTMLElement): Promise<void> {
  const id = item.dataset.message ?? "";
  const body = item.querySelector<HTMLElement>("[data-body]")?.textContent ?? "";
  if (!id || item.querySelector("[data-card]") || !linksHere(body, window.location.origin)) return;
  if (!known.has(id)) known.set(id, json<Card[]>(`messages/${id}/previews/`).catch(() => []));
  const cards = await (known.get(id) ?? Promise.resolve([]));
  if (item.isConnected && !item.querySelector("[data-card]")) item.querySelector("[data-body]")?.after(...cards.map(cardElement));
}

/** Watch the timeline (and the thread panel) for messages to give cards. */
export function wirePreviews(...places: (HTMLElement | null)[]): void {
  for (const place of [timeline(), ...places]) {
    if (!place) continue;
    const look = (): void => {
      for (const item of place.querySelectorAll<HTMLElement>("[data-message]")) void addCards(item);
    };
    new MutationObserver(look).observe(place, { childList: true, subtree: true });
    look();
  }
}
