// Who is typing, and how many of the room's members are online.
import type { StreamSignal } from "../stream";
import { json } from "./api";
import { $, client, me, state, strings } from "./context";
import { fill } from "./render";

const TYPING_SHOWN_FOR = 6000;
const typing = new Map<string, { name: string; until: number }>();
const presence = new Map<string, string>();

export function applySignal(signal: StreamSignal): void {
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

export function forgetTyping(user: string | null): void {
  if (user) typing.delete(user);
  renderTyping();
}

export function renderTyping(): void {
  const line = $<HTMLElement>("[data-typing]");
  if (!line || !state.current?.abilities.post) return;
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

export async function loadPresence(): Promise<void> {
  if (!state.current) return;
  const states = await json<Record<string, string>>(`rooms/${state.current.id}/presence/`);
  presence.clear();
  for (const [user, value] of Object.entries(states)) presence.set(user, value);
  renderPresence();
}

export const presenceOf = (user: string): string => presence.get(user) ?? "offline";

function renderPresence(): void {
  const badge = $<HTMLElement>("[data-online]");
  if (!badge) return;
  const online = [...presence.values()].filter((value) => value === "online").length;
  badge.textContent = fill(strings.online, { n: online });
  badge.hidden = online === 0;
}

let typingSent = 0;
let typingStop = 0;
export function typed(): void {
  if (!state.current) return;
  if (Date.now() - typingSent > 3000) {
    client.signal(state.current.stream, "chat.typing", { typing: true });
    typingSent = Date.now();
  }
  window.clearTimeout(typingStop);
  typingStop = window.setTimeout(() => stopTyping(), 5000);
}

export function stopTyping(): void {
  if (!state.current || !typingSent) return;
  window.clearTimeout(typingStop);
  client.signal(state.current.stream, "chat.typing", { typing: false });
  typingSent = 0;
}
