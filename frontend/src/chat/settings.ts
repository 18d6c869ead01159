// The room's settings, each shown only to whom the room's abilities allow it: name and topic,
// avatar (moderators), one's notification level (members), retention, export and archive
// (administrators).
import { call, json, sendFile, type Room } from "./api";
import { $, act, onFileChosen, rooms, state, strings } from "./context";
import { onPanel } from "./panels";

type Changed = (room: Room) => void;

function show(selector: string, visible: boolean): void {
  const part = $<HTMLElement>(selector);
  if (part) part.hidden = !visible;
}

function fill(): void {
  const room = state.current;
  if (!room) return;
  const a = room.abilities;
  const live = !room.archived_at;
  const named = room.kind !== "direct";
  show("[data-settings-about]", Boolean(a.update) && live && named);
  show("[data-settings-avatar]", Boolean(a.update) && live && named);
  show("[data-settings-notify]", Boolean(room.role));
  show("[data-settings-admin]", Boolean(a.manage_accesses));
  show("[data-settings-archive]", Boolean(a.manage_accesses) && live && room.kind !== "meeting");
  show("[data-settings-nothing]", !room.role && !a.update);
  $<HTMLInputElement>("[data-settings-name]")!.value = room.name;
  $<HTMLTextAreaElement>("[data-settings-topic]")!.value = room.topic;
  $<HTMLSelectElement>("[data-notify]")!.value = room.notify ?? "mentions";
  $<HTMLInputElement>("[data-settings-retention]")!.value = room.retention_days ? String(room.retention_days) : "";
  $<HTMLButtonElement>("[data-avatar-remove]")!.hidden = !room.avatar;
}

export function wireSettings(changed: Changed): void {
  const box = $<HTMLElement>("[data-settings-error]");
  const room = state.current;
  if (!room || !$("[data-panel='settings']")) return;
  const saved = (answer: Room): void => {
    rooms.set(answer.id, answer);
    changed(answer);
    fill();
    const done = $<HTMLElement>("[data-settings-saved]");
    if (done) {
      done.hidden = false;
      window.setTimeout(() => (done.hidden = true), 3000);
    }
  };
  onPanel("settings", fill);
  const about = $<HTMLFormElement>("[data-settings-about]")!;
  about.onsubmit = (event) => {
    event.preventDefault();
    const data = { name: $<HTMLInputElement>("[data-settings-name]")!.value, topic: $<HTMLTextAreaElement>("[data-settings-topic]")!.value };
    void act(async () => saved(await json<Room>(`rooms/${room.id}/`, "PATCH", data)), box);
  };
  onFileChosen($<HTMLInputElement>("[data-avatar-input]")!, (file) =>
    act(async () => saved(await sendFile<Room>(`rooms/${room.id}/avatar/`, file)), box),
  );
  $<HTMLButtonElement>("[data-avatar-remove]")!.onclick = () =>
    void act(async () => saved(await (await call(`rooms/${room.id}/avatar/`, "DELETE")).json()), box);
  $<HTMLSelectElement>("[data-notify]")!.onchange = (event) =>
    void act(async () => {
      const notify = (event.target as HTMLSelectElement).value;
      saved(await json<Room>(`rooms/${room.id}/notifications/`, "POST", { notify }));
    }, box);
  const retention = $<HTMLFormElement>("[data-retention]")!;
  retention.onsubmit = (event) => {
    event.preventDefault();
    const value = $<HTMLInputElement>("[data-settings-retention]")!.value.trim();
    const days = value ? Number(value) : null;
    if (days !== null && window.confirm(strings.confirmRetention.replace("{n}", String(days))) === false) return;
    void act(async () => saved(await json<Room>(`rooms/${room.id}/retention/`, "POST", { days })), box);
  };
  $<HTMLButtonElement>("[data-archive]")!.onclick = () => {
    if (!window.confirm(strings.confirmArchive)) return;
    void act(async () => saved(await json<Room>(`rooms/${room.id}/archive/`, "POST")), box);
  };
  for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-export]")) {
    link.href = `/api/v1/chat/rooms/${room.id}/export/?as=${link.dataset.export}`;
  }
}
