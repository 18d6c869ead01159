// Search across one's rooms (or the open one): each result opens its message in its context.
import { json, type Message } from "./api";
import { $, element, reason, rooms, state, strings } from "./context";
import { onPanel } from "./panels";
import { showMessage } from "./timeline";

const when = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "short", timeStyle: "short" });

function result(message: Message): HTMLLIElement {
  const item = element("li");
  const open = element("button", "ens-chat__result");
  open.type = "button";
  open.dataset.result = message.id;
  const head = element("span", "ens-chat__result-head fr-text--xs");
  head.append(element("strong", "", rooms.get(message.room)?.title || strings.direct), ` · ${message.author_name} · ${when.format(new Date(message.created_at))}`);
  open.append(head, element("span", "ens-chat__result-body", message.body.slice(0, 200)));
  open.onclick = () => showMessage(message.room, message.seq);
  item.append(open);
  return item;
}

async function search(form: HTMLFormElement): Promise<void> {
  const list = $<HTMLUListElement>("[data-search-results]");
  const data = new FormData(form);
  const q = String(data.get("q") ?? "").trim();
  if (!list) return;
  const params = new URLSearchParams({ q });
  if (data.get("here") && state.current) params.set("room", state.current.id);
  try {
    const found = await json<Message[]>(`rooms/search/?${params}`);
    list.replaceChildren(...found.map(result));
    if (!found.length) list.append(element("li", "ens-chat__none fr-text--sm", strings.noResults));
  } catch (error) {
    list.replaceChildren(element("li", "ens-chat__none fr-text--sm", reason(error)));
  }
}

export function wireSearch(): void {
  const form = $<HTMLFormElement>("[data-search]");
  if (!form) return;
  const here = $<HTMLElement>("[data-search-here]");
  if (here) here.hidden = !state.current;
  form.onsubmit = (event) => {
    event.preventDefault();
    void search(form);
  };
  onPanel("search", () => form.querySelector<HTMLInputElement>("input[name='q']")?.focus());
}
