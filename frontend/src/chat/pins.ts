// The pinned messages panel: what the moderators pinned, oldest first, each opening in context.
import { json, type Message } from "./api";
import { $, element, reason, state, strings } from "./context";
import { onPanel, panelShown } from "./panels";
import { onEvent, showMessage } from "./timeline";

async function load(): Promise<void> {
  const list = $<HTMLUListElement>("[data-pin-list]");
  if (!list || !state.current) return;
  try {
    const pinned = await json<Message[]>(`rooms/${state.current.id}/pins/`);
    list.replaceChildren(...pinned.map(row));
    if (!pinned.length) list.append(element("li", "ens-chat__none fr-text--sm", strings.noPins));
  } catch (error) {
    list.replaceChildren(element("li", "ens-chat__none fr-text--sm", reason(error)));
  }
}

function row(message: Message): HTMLLIElement {
  const item = element("li");
  const open = element("button", "ens-chat__result");
  open.type = "button";
  open.dataset.pin = message.id;
  open.append(element("strong", "ens-chat__result-head fr-text--xs", message.author_name), element("span", "ens-chat__result-body", message.body.slice(0, 300)));
  open.onclick = () => showMessage(message.room, message.seq);
  item.append(open);
  return item;
}

export function wirePins(): void {
  onPanel("pins", load);
  onEvent((event) => {
    if (panelShown() === "pins" && (event.event === "chat.message.pinned" || event.event === "chat.message.deleted" || event.event === "chat.message.edited")) void load();
  });
}
