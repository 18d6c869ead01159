// @-mentions in a comment's text field: typing "@" and a few letters lists people from the
// directory (as in the editor); the one chosen is written "@Name " and remembered, and the
// comment is sent with the ids of those still named in its text.
import { findPeople, type Person } from "./mentions";
import type { DocStrings } from "./strings";

export interface TextMentions {
  /** The ids of the people chosen whose "@Name" is still in the text. */
  ids: () => string[];
  reset: () => void;
}

let lists = 0;

export function textMentions(
  field: HTMLTextAreaElement,
  strings: DocStrings,
  search: (query: string) => Promise<Person[]> = (query) => findPeople(query),
): TextMentions {
  const chosen = new Map<string, string>(); // name → id
  const list = document.createElement("ul");
  const listId = `doc-comment-mentions-${++lists}`;
  list.id = listId;
  list.role = "listbox";
  list.className = "ens-doc__mentions ens-doc__mentions--field";
  list.setAttribute("aria-label", strings.peopleToMention);
  list.hidden = true;
  field.after(list);
  field.setAttribute("aria-autocomplete", "list");
  field.setAttribute("aria-controls", listId);
  field.setAttribute("aria-expanded", "false");

  let people: Person[] = [];
  let active = 0;
  let asked = 0;

  /** The "@word" just before the cursor, and where it starts. */
  const typed = (): { query: string; at: number } | null => {
    const before = field.value.slice(0, field.selectionStart ?? field.value.length);
    const found = /(^|\s)@([^\s@]{0,30})$/.exec(before);
    return found ? { query: found[2], at: before.length - found[2].length - 1 } : null;
  };
  const close = (): void => {
    list.hidden = true;
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  };
  const draw = (): void => {
    list.replaceChildren();
    people.forEach((person, index) => {
      const item = document.createElement("li");
      item.id = `${listId}-${index}`;
      item.role = "option";
      item.className = "ens-doc__mention";
      item.setAttribute("aria-selected", String(index === active));
      item.textContent = person.name;
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(person);
      });
      list.append(item);
    });
    if (!people.length) {
      const none = document.createElement("li");
      none.className = "ens-doc__mention-empty";
      none.textContent = strings.nobody;
      list.append(none);
    }
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    if (people.length) field.setAttribute("aria-activedescendant", `${listId}-${active}`);
  };
  const pick = (person: Person): void => {
    const place = typed();
    if (!place) return close();
    const end = field.selectionStart ?? field.value.length;
    const written = `@${person.name} `;
    field.value = field.value.slice(0, place.at) + written + field.value.slice(end);
    const cursor = place.at + written.length;
    field.setSelectionRange(cursor, cursor);
    chosen.set(person.name, person.id);
    close();
    field.focus();
  };

  field.addEventListener("input", async () => {
    const place = typed();
    const mine = ++asked;
    if (!place || place.query.length < 2) return close();
    const found = await search(place.query).catch(() => [] as Person[]);
    if (mine !== asked) return;
    people = found.slice(0, 8);
    active = 0;
    draw();
  });
  field.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault(); // closes the list, not the panel
      close();
    } else if (people.length && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : people.length - 1)) % people.length;
      draw();
    } else if (people.length && (event.key === "Enter" || event.key === "Tab")) {
      event.preventDefault();
      pick(people[active]);
    }
  });
  field.addEventListener("blur", close);

  return {
    ids: () => [...chosen].filter(([name]) => field.value.includes(`@${name}`)).map(([, id]) => id),
    reset: () => {
      chosen.clear();
      close();
    },
  };
}
