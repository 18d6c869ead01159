// Starting a conversation: a direct one with the person picked, or a room (kind, name, topic)
// with the people and teams picked as its first members.
import { json, teamMembers, type Entry, type Room } from "./api";
import { $, act, reason, strings } from "./context";
import { onPanel } from "./panels";
import { picker } from "./picker";
import { fill } from "./render";

/** Add people and teams (each team's people) to a room; what was refused, by name. */
export async function addPeople(room: string, entries: Entry[]): Promise<string[]> {
  const refused: string[] = [];
  for (const entry of entries) {
    const users = entry.kind === "team" ? await teamMembers(entry.id).catch(() => []) : [entry.id];
    for (const user of users) {
      try {
        await json(`rooms/${room}/members/add/`, "POST", { user });
      } catch (error) {
        refused.push(`${entry.name} (${reason(error)})`);
      }
    }
  }
  return refused;
}

export function wireConversations(): void {
  const box = $<HTMLElement>("[data-panel='new']");
  const form = $<HTMLFormElement>("[data-new-room]");
  const direct = $<HTMLButtonElement>("[data-start-direct]");
  const error = $<HTMLElement>("[data-new-error]");
  if (!box || !form || !direct) return;
  const people = picker(box, true, () => {
    const chosen = people.picked();
    direct.disabled = !(chosen.length === 1 && chosen[0].kind === "person");
  });
  onPanel("new", () => box.querySelector<HTMLInputElement>("[data-picker-input]")?.focus());
  direct.disabled = true;
  direct.onclick = () =>
    void act(async () => {
      const room = await json<Room>("rooms/direct/", "POST", { user: people.picked()[0].id });
      window.location.href = `/chat/${room.id}/`;
    }, error);
  form.onsubmit = (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    void act(async () => {
      const room = await json<Room>("rooms/", "POST", data);
      const refused = await addPeople(room.id, people.picked());
      if (refused.length) window.alert(fill(strings.notAdded, { names: refused.join(", ") }));
      window.location.href = `/chat/${room.id}/`;
    }, error);
  };
}
