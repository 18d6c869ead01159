// The people picker: search the directory (name, e-mail, organisation, team; the people one
// talks with first), pick people and teams; each picked one shows as a removable tag.
import { directory, type Entry } from "./api";
import { element, externalBadge, reason, strings } from "./context";

export interface Picker {
  picked: () => Entry[];
  clear: () => void;
}

/** Make ``box`` (holding [data-picker-input], [data-picker-results], [data-picker-picked])
 * a picker; ``teams`` lets teams be picked too. */
export function picker(box: HTMLElement, teams: boolean, changed: () => void = () => undefined): Picker {
  const input = box.querySelector<HTMLInputElement>("[data-picker-input]")!;
  const results = box.querySelector<HTMLUListElement>("[data-picker-results]")!;
  const tags = box.querySelector<HTMLUListElement>("[data-picker-picked]")!;
  const picked = new Map<string, Entry>();
  let timer = 0;
  let asked = 0;

  function renderPicked(): void {
    tags.replaceChildren();
    for (const entry of picked.values()) {
      const item = element("li");
      const tag = element("button", "fr-tag fr-tag--sm fr-tag--dismiss", entry.kind === "team" ? `${strings.team} · ${entry.name}` : entry.name);
      tag.type = "button";
      tag.title = strings.removeFromList;
      tag.dataset.picked = entry.id;
      tag.onclick = () => {
        picked.delete(entry.id);
        renderPicked();
        changed();
      };
      item.append(tag);
      tags.append(item);
    }
  }

  function row(entry: Entry): HTMLLIElement {
    const item = element("li");
    const choose = element("button", "ens-chat__person");
    choose.type = "button";
    choose.dataset.pick = entry.id;
    choose.append(element("span", "ens-chat__person-name", entry.name));
    if (entry.external) choose.append(externalBadge());
    if (entry.recent) choose.append(element("span", "fr-badge fr-badge--sm fr-badge--no-icon", strings.recent));
    const detail = entry.kind === "team" ? strings.team : [entry.organisation, entry.email].filter(Boolean).join(" · ");
    choose.append(element("span", "ens-chat__person-detail fr-text--xs", detail));
    choose.onclick = () => {
      picked.set(entry.id, entry);
      renderPicked();
      changed();
      input.value = "";
      results.replaceChildren();
      input.focus();
    };
    item.append(choose);
    return item;
  }

  async function search(): Promise<void> {
    const text = input.value.trim();
    if (text.length === 1) return;
    const mine = ++asked;
    try {
      const found = await directory(text, teams ? "all" : "people");
      if (mine !== asked) return; // a later search answers instead
      const fresh = found.filter((entry) => !picked.has(entry.id));
      results.replaceChildren(...fresh.map(row));
      if (!fresh.length) results.append(element("li", "ens-chat__none fr-text--sm", text ? strings.nobodyFound : strings.noContacts));
    } catch (error) {
      if (mine === asked) results.replaceChildren(element("li", "ens-chat__none fr-text--sm", reason(error)));
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), 250);
  });
  input.addEventListener("focus", () => {
    if (!results.children.length) void search();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // choose with a click or Tab then Enter, never submit half-typed
      results.querySelector<HTMLButtonElement>("[data-pick]")?.click();
    }
  });
  return {
    picked: () => [...picked.values()],
    clear: () => {
      picked.clear();
      renderPicked();
      results.replaceChildren();
    },
  };
}
