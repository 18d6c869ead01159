// The forum directory: the forums of one's organisation, searched by name or topic, to join.
import { json, type Room } from "./api";
import { $, act, element, reason, strings } from "./context";
import { onPanel } from "./panels";

async function search(): Promise<void> {
  const list = $<HTMLUListElement>("[data-forum-results]");
  const text = $<HTMLInputElement>("[data-forum-query]")?.value.trim() ?? "";
  if (!list) return;
  try {
    const page = await json<{ results: Room[] }>(`rooms/directory/?${new URLSearchParams({ q: text, limit: "50" })}`);
    list.replaceChildren(...page.results.map(row));
    if (!page.results.length) list.append(element("li", "ens-chat__none fr-text--sm", strings.noForums));
  } catch (error) {
    list.replaceChildren(element("li", "ens-chat__none fr-text--sm", reason(error)));
  }
}

function row(room: Room): HTMLLIElement {
  const item = element("li", "ens-chat__forum");
  item.dataset.forum = room.id;
  const text = element("div");
  const name = element("a", "fr-link", room.title);
  name.href = `/chat/${room.id}/`;
  text.append(name);
  if (room.topic) text.append(element("p", "fr-text--xs fr-mb-0", room.topic));
  item.append(text);
  if (room.abilities.join) {
    const join = element("button", "fr-btn fr-btn--sm fr-btn--secondary", strings.join);
    join.type = "button";
    join.onclick = () =>
      void act(async () => {
        await json(`rooms/${room.id}/join/`, "POST");
        window.location.href = `/chat/${room.id}/`;
      }, $<HTMLElement>("[data-forum-error]"));
    item.append(join);
  } else {
    item.append(element("span", "fr-badge fr-badge--sm fr-badge--success fr-badge--no-icon", strings.joined));
  }
  return item;
}

export function wireForums(): void {
  const form = $<HTMLFormElement>("[data-forum-search]");
  if (!form) return;
  let timer = 0;
  form.onsubmit = (event) => {
    event.preventDefault();
    void search();
  };
  $<HTMLInputElement>("[data-forum-query]")?.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), 250);
  });
  onPanel("forums", search);
}
