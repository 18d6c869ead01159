// The notification centre of the portal header, fed live by the real-time stream.
import { streamClient, type StreamEvent } from "./stream";

interface Notification {
  id: string;
  title: string;
  body: string;
  url: string;
  created_at: string;
  read: boolean;
}

const panel = document.querySelector<HTMLElement>("[data-notifications-panel]");
const list = document.querySelector<HTMLUListElement>("[data-notifications-list]");
const csrf = document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? "";
const items = new Map<string, Notification>();

function render(): void {
  if (!panel || !list) return;
  const sorted = [...items.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  list.replaceChildren();
  if (sorted.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = panel.dataset.empty ?? "";
    list.append(empty);
  }
  for (const item of sorted) {
    const li = document.createElement("li");
    li.className = item.read ? "ens-notification" : "ens-notification ens-notification--unread";
    li.dataset.notification = item.id;
    const title = document.createElement(item.url ? "a" : "strong");
    title.textContent = item.title;
    if (title instanceof HTMLAnchorElement) title.href = item.url;
    const body = document.createElement("p");
    body.textContent = item.body;
    li.append(title, body);
    if (!item.read) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline";
      button.textContent = panel.dataset.markRead ?? "";
      button.onclick = () => void markRead(item.id);
      li.append(button);
    }
    list.append(li);
  }
  const unread = sorted.filter((item) => !item.read).length;
  // The header's buttons exist twice: in the header, and copied by the DSFR into the menu
  // of small screens.
  for (const badge of document.querySelectorAll<HTMLElement>("[data-notifications-count]")) {
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  }
}

async function markRead(id: string): Promise<void> {
  await fetch(`/api/v1/notifications/${id}/read/`, {
    method: "POST",
    headers: { "X-CSRFToken": csrf },
    credentials: "same-origin",
  });
}

function apply(event: StreamEvent): void {
  if (event.event === "notification.created") {
    const item = event.payload as unknown as Notification;
    items.set(item.id, item);
  } else if (event.event === "notification.read") {
    const item = items.get(String(event.payload.id));
    if (item) item.read = true;
  }
  render();
}

async function start(): Promise<void> {
  if (!panel) return;
  document.addEventListener("click", (event) => {
    const toggle = (event.target as Element).closest?.("[data-notifications-toggle]");
    if (!toggle) return;
    if (toggle.closest("#header-menu")) {
      document.querySelector<HTMLButtonElement>("#header-menu .fr-btn--close")?.click(); // show the panel, not the menu
    }
    panel.hidden = !panel.hidden;
    for (const each of document.querySelectorAll("[data-notifications-toggle]")) {
      each.setAttribute("aria-expanded", String(!panel.hidden));
    }
  });
  // Initial state from the API, then every event after its sequence from the stream.
  const response = await fetch("/api/v1/notifications/?limit=50", { credentials: "same-origin" });
  const page = await response.json();
  for (const item of page.results as Notification[]) items.set(item.id, item);
  render();
  const client = streamClient();
  client.onstatus((connected) => document.body.toggleAttribute("data-live", connected));
  client.follow(panel.dataset.stream ?? "", Number(response.headers.get("X-Stream-Seq") ?? panel.dataset.after ?? 0), apply);
}

void start();
