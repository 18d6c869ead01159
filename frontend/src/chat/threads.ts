// The threads panel: the room's messages that have replies, the latest answered first, those
// with replies one has not read marked; each opens its thread.
import { json, type Message } from "./api";
import { $, element, messages, reason, state, strings } from "./context";
import { onPanel, panelShown } from "./panels";
import { fill } from "./render";
import { openThread } from "./thread";
import { onEvent } from "./timeline";

export interface ThreadSummary {
  root: Message;
  replies: number;
  last_seq: number;
  last_at: string;
  unread: number;
}

async function load(): Promise<void> {
  const list = $<HTMLUListElement>("[data-thread-list]");
  if (!list || !state.current) return;
  try {
    const threads = await json<ThreadSummary[]>(`rooms/${state.current.id}/threads/`);
    list.replaceChildren(...threads.map(row));
    if (!threads.length) list.append(element("li", "ens-chat__none fr-text--sm", strings.noThreads));
  } catch (error) {
    list.replaceChildren(element("li", "ens-chat__none fr-text--sm", reason(error)));
  }
}

function row(thread: ThreadSummary): HTMLLIElement {
  const item = element("li");
  const open = element("button", "ens-chat__result");
  open.type = "button";
  open.dataset.threadRoot = thread.root.id;
  const head = element("strong", "ens-chat__result-head fr-text--xs", thread.root.author_name);
  const count = thread.replies === 1 ? strings.oneReply : fill(strings.replies, { n: thread.replies });
  head.append(" · ", count);
  if (thread.unread) {
    const badge = element("span", "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon", fill(strings.threadUnread, { n: thread.unread }));
    badge.dataset.threadUnread = String(thread.unread);
    head.append(" ", badge);
    open.classList.add("ens-chat__result--unread");
  }
  open.append(head, element("span", "ens-chat__result-body", thread.root.deleted ? strings.deleted : thread.root.body.slice(0, 300)));
  open.onclick = () => {
    messages.set(thread.root.id, messages.get(thread.root.id) ?? thread.root);
    void openThread(thread.root);
  };
  item.append(open);
  return item;
}

export function wireThreads(): void {
  onPanel("threads", load);
  onEvent((event) => {
    if (panelShown() === "threads" && event.event.startsWith("chat.message")) void load();
  });
}
