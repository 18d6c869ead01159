// @-mentions: the suggestion list under the cursor, filled from the directory
// (GET /api/v1/directory/?q=…&kind=people, as the chat's people picker); a chosen person becomes
// a mention node (id, label), which the server turns into a notification.
import type { MentionOptions } from "@tiptap/extension-mention";
import type { DocStrings } from "./strings";

export interface Person {
  id: string;
  name: string;
  email?: string;
  organisation?: string;
}

/** The people whose name, e-mail, organisation or team holds ``query`` (one's recent contacts
 * when it is empty; the directory refuses one letter, so nothing is asked then). */
export async function findPeople(query: string, signal?: AbortSignal): Promise<Person[]> {
  const q = query.trim();
  if (q.length === 1) return [];
  try {
    const response = await fetch(`/api/v1/directory/?${new URLSearchParams({ q, kind: "people" })}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal, // a later keystroke's search replaces this one
    });
    if (!response.ok) return [];
    const found = (await response.json()) as (Person & { kind: string })[];
    return found.filter((entry) => entry.kind === "person").slice(0, 8);
  } catch {
    return []; // an external guest may not search the directory: no list, typing goes on
  }
}

type Suggestion = NonNullable<MentionOptions["suggestion"]>;

/** The mention extension's suggestion: its list is the template's [data-mention-list]. */
export function mentionSuggestion(
  list: HTMLElement,
  strings: DocStrings,
  search: (query: string, signal?: AbortSignal) => Promise<Person[]> = findPeople,
): Suggestion {
  return {
    char: "@",
    items: ({ query, signal }) => search(query, signal),
    render: () => {
      let people: Person[] = [];
      let chosen = 0;
      let pick: (person: Person) => void = () => undefined;

      const draw = (rect: DOMRect | null | undefined): void => {
        list.replaceChildren();
        if (!people.length) {
          const empty = document.createElement("li");
          empty.className = "ens-doc__mention-empty";
          empty.textContent = strings.nobody;
          list.append(empty);
        }
        people.forEach((person, index) => {
          const item = document.createElement("li");
          item.id = `doc-mention-${index}`;
          item.role = "option";
          item.className = "ens-doc__mention";
          item.setAttribute("aria-selected", String(index === chosen));
          item.textContent = person.name;
          if (person.organisation) {
            const where = document.createElement("span");
            where.className = "fr-text--xs fr-mb-0";
            where.textContent = ` · ${person.organisation}`;
            item.append(where);
          }
          item.addEventListener("mousedown", (event) => {
            event.preventDefault(); // keep the editor's focus and selection
            pick(person);
          });
          list.append(item);
        });
        if (rect) {
          const page = list.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0 };
          list.style.left = `${rect.left - page.left}px`;
          list.style.top = `${rect.bottom - page.top + 4}px`;
        }
        list.hidden = false;
      };

      return {
        onStart: (props) => {
          people = props.items as Person[];
          chosen = 0;
          pick = (person) => props.command({ id: person.id, label: person.name });
          draw(props.clientRect?.());
        },
        onUpdate: (props) => {
          people = props.items as Person[];
          chosen = Math.min(chosen, Math.max(people.length - 1, 0));
          pick = (person) => props.command({ id: person.id, label: person.name });
          draw(props.clientRect?.());
        },
        onKeyDown: ({ event }) => {
          if (event.key === "Escape") {
            list.hidden = true;
            return true;
          }
          if (!people.length) return false;
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            chosen = (chosen + (event.key === "ArrowDown" ? 1 : people.length - 1)) % people.length;
            draw(null);
            return true;
          }
          if (event.key === "Enter" || event.key === "Tab") {
            pick(people[chosen]);
            return true;
          }
          return false;
        },
        onExit: () => {
          list.hidden = true;
          list.replaceChildren();
        },
      };
    },
  };
}
