// What every part of the chat page shares: the page's root, its strings, the signed-in person,
// the rooms and messages known so far, the room open now, and how errors are shown.
import { streamClient } from "../stream";
import { ApiError, type Message, type Room } from "./api";
import { element, externalBadge as badge, type Strings } from "./render";

export const root = document.querySelector<HTMLElement>("[data-chat]");
export const strings: Strings = JSON.parse(document.getElementById("chat-strings")?.textContent ?? "{}");
export const client = streamClient();
export const FROM_NOW = Number.MAX_SAFE_INTEGER;

export const me = root?.dataset.user ?? "";
export const roomId = root?.dataset.room ?? "";
export const maxBytes = Number(root?.dataset.maxBytes ?? 0);

export const $ = <T extends Element>(selector: string): T | null => root?.querySelector<T>(selector) ?? null;

export const rooms = new Map<string, Room>();
export const messages = new Map<string, Message>();

/** The room open now (undefined on /chat/). */
export const state: { current: Room | undefined } = { current: undefined };

export { element };

/** Hand the file chosen in ``input`` to ``use``, then clear the input for the next one. */
export function onFileChosen(input: HTMLInputElement, use: (file: File) => Promise<unknown>): void {
  input.onchange = () => {
    const file = input.files?.[0];
    if (file) void use(file).finally(() => (input.value = ""));
  };
}

/** The "external" badge shown next to the name of a guest or of someone of another organisation. */
export const externalBadge = (): HTMLElement => badge(strings);

export function reason(error: unknown): string {
  return error instanceof ApiError ? error.message : strings.error;
}

/** Show an error in an alert box (its <p>), or hide it with "". */
export function showIn(box: HTMLElement | null, text: string): void {
  if (!box) return;
  const line = box.querySelector("p") ?? box;
  line.textContent = text;
  box.hidden = !text;
}

export function showError(text: string): void {
  showIn($("[data-composer-error]"), text);
}

/** Run a change; a refusal is shown under the composer (or in ``box``). */
export async function act(work: () => Promise<unknown>, box?: HTMLElement | null): Promise<boolean> {
  try {
    await work();
    if (box) showIn(box, "");
    else showError("");
    return true;
  } catch (error) {
    if (box) showIn(box, reason(error));
    else showError(reason(error));
    return false;
  }
}
