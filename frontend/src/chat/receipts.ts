// "Seen by": in small rooms, under the last message each other member has read, their names
// (for those who share their read receipts, to those who share theirs). Asked again when
// messages arrive, when the page comes back into view, and every POLL_MS while it is in view
// (read markers are not pushed to the others live).
import { json } from "./api";
import { element, messages, state, strings } from "./context";
import { fill } from "./render";
import { timeline } from "./timeline";

export interface Mark {
  user: string;
  name: string;
  external: boolean;
  seq: number;
}

/** Where each mark stands: the seq of the last shown message at or before it, to the names
 * of those who read up to there (the message's author is not listed under their own). */
export function placeMarks(marks: Mark[], shown: { seq: number; author: string | null }[]): Map<number, string[]> {
  const placed = new Map<number, string[]>();
  const seqs = [...shown].sort((a, b) => a.seq - b.seq);
  for (const mark of marks) {
    const last = seqs.filter((message) => message.seq <= mark.seq).pop();
    if (!last || last.author === mark.user) continue;
    placed.set(last.seq, [...(placed.get(last.seq) ?? []), mark.name]);
  }
  return placed;
}

const POLL_MS = 10_000;
let timer = 0;

async function refresh(): Promise<void> {
  const list = timeline()?.querySelector("[data-messages]");
  if (!list || !state.current) return;
  const answer = await json<{ shown: boolean; marks: Mark[] }>(`rooms/${state.current.id}/receipts/`);
  for (const old of list.querySelectorAll("[data-seen-by]")) old.remove();
  if (!answer.shown) return;
  const items = [...list.querySelectorAll<HTMLElement>("[data-message][data-seq]")];
  const shown = items.map((item) => ({ seq: Number(item.dataset.seq), author: messages.get(item.dataset.message ?? "")?.author ?? null }));
  for (const [seq, names] of placeMarks(answer.marks, shown)) {
    const item = items.find((node) => Number(node.dataset.seq) === seq);
    const line = element("p", "ens-chat__seen fr-text--xs fr-mb-0", fill(strings.seenBy, { names: names.join(", ") }));
    line.dataset.seenBy = String(names.length);
    item?.append(line);
  }
}

/** Ask again soon (several events in a row make one request). */
export function refreshReceipts(): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => void refresh().catch(() => undefined), 500);
}

export function wireReceipts(): void {
  const list = timeline();
  if (!list) return;
  new MutationObserver((changes) => {
    const added = changes.some((change) => [...change.addedNodes].some((node) => node instanceof HTMLElement && node.dataset.message));
    if (added) refreshReceipts();
  }).observe(list, { childList: true, subtree: true });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshReceipts();
  });
  window.setInterval(() => {
    if (!document.hidden) refreshReceipts();
  }, POLL_MS);
  refreshReceipts();
}
