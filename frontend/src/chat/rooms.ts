// The room list on the left, with unread and mention badges kept current live.
import { json, type Room } from "./api";
import { $, client, element, FROM_NOW, me, roomId, rooms, strings } from "./context";
import { roomCounted } from "./notices";
import { fill } from "./render";

export function renderRooms(): void {
  const list = $<HTMLUListElement>("[data-room-list]");
  if (!list) return;
  list.replaceChildren();
  const sorted = [...rooms.values()].filter((room) => room.role || room.id === roomId).sort((a, b) => a.title.localeCompare(b.title));
  if (!sorted.length) list.append(element("li", "", strings.noRooms));
  for (const room of sorted) {
    const item = element("li");
    const link = element("a", "ens-chat__room");
    link.href = `/chat/${room.id}/`;
    link.dataset.roomLink = room.id;
    if (room.id === roomId) link.setAttribute("aria-current", "page");
    if (room.avatar) {
      const avatar = element("img", "ens-chat__avatar");
      avatar.src = room.avatar;
      avatar.alt = "";
      link.append(avatar);
    }
    link.append(element("span", "", room.title || strings.direct));
    if (room.mentions) {
      const badge = element("span", "fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon", `@${room.mentions}`);
      badge.dataset.mentionBadge = "";
      badge.title = fill(strings.mentions, { n: room.mentions });
      link.append(badge);
    }
    if (room.unread) {
      const badge = element("span", "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon", String(room.unread));
      badge.dataset.unreadBadge = "";
      badge.title = fill(strings.unread, { n: room.unread });
      link.append(badge);
      link.classList.add("ens-chat__room--unread");
    }
    item.append(link);
    list.append(item);
  }
}

const refreshing = new Map<string, number>();
export function refreshRoom(id: string): void {
  window.clearTimeout(refreshing.get(id));
  refreshing.set(
    id,
    window.setTimeout(async () => {
      try {
        const before = rooms.get(id);
        rooms.set(id, await json<Room>(`rooms/${id}/`));
        roomCounted(before, rooms.get(id)!); // a browser notification if it deserves one
      } catch {
        rooms.delete(id); // left, removed or banned
      }
      renderRooms();
    }, 300),
  );
}

/** Keep a room's badges current from its stream (the open room's timeline follows its own). */
const listed = new Set<string>();
function listen(room: Room): void {
  if (room.id === roomId || !room.role || listed.has(room.id)) return;
  listed.add(room.id);
  client.follow(room.stream, FROM_NOW, (event) => {
    if (event.event.startsWith("chat.message") || event.event === "chat.room.updated") refreshRoom(room.id);
  });
}

export async function loadRooms(): Promise<void> {
  const page = await json<{ results: Room[] }>("rooms/?limit=500");
  for (const room of page.results) rooms.set(room.id, room);
  renderRooms();
  for (const room of page.results) listen(room);
  // A room one is now in (added, invited, a direct conversation opened by someone) is listed at once.
  client.watch(`user:${me}`, async (event) => {
    if (event.event !== "chat.room.joined") return;
    const room = await json<Room>(`rooms/${String(event.payload.room)}/`).catch(() => null);
    if (!room) return;
    rooms.set(room.id, room);
    renderRooms();
    listen(room);
  });
}
