// The thread panel: a message and its replies, with a composer of its own.
import { json, type Message } from "./api";
import { $, act, messages } from "./context";
import { send } from "./composer";
import { onPanel, openPanel } from "./panels";
import { messageElement } from "./render";
import { actions } from "./timeline";

let threadRoot: Message | undefined;

/** Whether the open thread shows ``message`` (its root or a reply). */
export const threadShows = (message: Message): boolean =>
  Boolean(threadRoot && (message.id === threadRoot.id || message.reply_to === threadRoot.id));

export async function openThread(message: Message, focus = true): Promise<void> {
  const list = $<HTMLOListElement>("[data-thread-messages]");
  if (!list) return;
  const focused = document.activeElement; // where the reader is before the replies come
  threadRoot = message;
  const replies = await json<Message[]>(`messages/${message.id}/thread/`);
  for (const reply of replies) messages.set(reply.id, reply);
  list.replaceChildren(
    messageElement(messages.get(message.id) ?? message, actions, true),
    ...replies.map((reply) => messageElement(reply, actions, true)),
  );
  openPanel("thread");
  // The thread's composer takes the focus unless the reader has gone on elsewhere meanwhile
  // (typing in the room's composer while the replies were on their way).
  const moved = document.activeElement !== focused && document.activeElement !== document.body;
  if (focus && !moved) $<HTMLTextAreaElement>("[data-thread-text]")?.focus();
}

export function wireThread(): void {
  onPanel("thread", () => undefined, () => (threadRoot = undefined));
  const form = $<HTMLFormElement>("[data-thread-composer]");
  const text = $<HTMLTextAreaElement>("[data-thread-text]");
  if (!form || !text) return;
  const reply = (): void => {
    if (!threadRoot || !text.value.trim()) return;
    const rootId = threadRoot.id;
    void act(async () => {
      await send(text.value, [], rootId);
      text.value = "";
    });
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    reply();
  };
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      reply();
    }
  });
}
