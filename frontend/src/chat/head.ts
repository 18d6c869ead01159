// The open room's header: name, topic, what the reader may do (write, join), and the notice
// for those who may only read.
import { json, type Room } from "./api";
import { $, act, rooms, state, strings } from "./context";
import { actions, rerenderAll } from "./timeline";
import { renderRooms } from "./rooms";

export function renderHead(): void {
  const current = state.current;
  if (!current) return;
  const name = $<HTMLElement>("[data-room-name]");
  const topic = $<HTMLElement>("[data-room-topic]");
  if (name) name.textContent = current.title || strings.direct;
  if (topic) {
    // A topic that is one web address (a meeting's chat has its meeting's link) is a link.
    const address = /^https?:\/\/\S+$/.test(current.topic) ? current.topic : "";
    const link = Object.assign(document.createElement("a"), { href: address, textContent: address, className: "fr-link fr-link--sm" });
    topic.replaceChildren(address ? link : current.topic);
  }
  actions.canPost = Boolean(current.abilities.post);
  actions.canModerate = Boolean(current.abilities.moderate);
  const composer = $<HTMLFormElement>("[data-composer]");
  const join = $<HTMLButtonElement>("[data-join]");
  if (composer) composer.hidden = !actions.canPost;
  if (join) join.hidden = !current.abilities.join;
  const notice = !actions.canPost ? (current.archived_at ? strings.archived : strings.readOnly) : "";
  const typingLine = $<HTMLElement>("[data-typing]");
  if (typingLine && notice) typingLine.textContent = notice;
}

export async function reloadRoom(): Promise<void> {
  if (!state.current) return;
  const fresh = await json<Room>(`rooms/${state.current.id}/`);
  changed(fresh);
}

/** The room changed (settings, role, join): show it as it is now. */
export function changed(room: Room): void {
  state.current = room;
  rooms.set(room.id, room);
  renderHead();
  renderRooms();
  rerenderAll();
}

export function wireJoin(): void {
  const join = $<HTMLButtonElement>("[data-join]");
  if (!join) return;
  join.onclick = () =>
    void act(async () => {
      await json(`rooms/${state.current!.id}/join/`, "POST");
      await reloadRoom();
    });
}
