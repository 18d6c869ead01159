// How one message looks: built with DOM calls; only the server's sanitized HTML is set as HTML.
import type { Attachment, Message } from "./api";

export type Strings = Record<string, string>;

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀", "✅"];

export interface MessageActions {
  me: string;
  strings: Strings;
  canModerate: boolean;
  canPost: boolean;
  replies: (id: string) => number;
  parent: (id: string) => Message | undefined;
  external: (user: string | null) => boolean;
  react: (message: Message, emoji: string, on: boolean) => void;
  openThread: (message: Message) => void;
  edit: (message: Message, element: HTMLElement) => void;
  pin: (message: Message, pinned: boolean) => void;
  remove: (message: Message) => void;
}

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ""));
}

/** The "External" badge next to the name of a guest or of someone of another organisation. */
export function externalBadge(strings: Strings): HTMLElement {
  const badge = element("span", "fr-badge fr-badge--sm fr-badge--yellow-tournesol fr-badge--no-icon", strings.external);
  badge.dataset.external = "";
  badge.title = strings.externalTitle;
  return badge;
}

export function humanSize(size: number): string {
  for (const [unit, scale] of [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]] as const) {
    if (size >= scale) return `${(size / scale).toFixed(1).replace(/\.0$/, "")} ${unit}`;
  }
  return `${size} B`;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text = "",
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function button(label: string, className: string, onclick: () => void, title = ""): HTMLButtonElement {
  const node = element("button", `fr-btn fr-btn--sm fr-btn--tertiary-no-outline ${className}`, label);
  node.type = "button";
  if (title) node.title = title;
  node.onclick = onclick;
  return node;
}

const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "short",
  timeStyle: "short",
});

// A file waiting for its malware scan, or not cleared by it, is offered to its sender only (and
// to nobody once malware is found): the server refuses the others (core/scanning.py).
const SCAN_NOTES: Record<string, [string, string]> = {
  pending: ["scanPending", "fr-badge--info"],
  failed: ["scanFailed", "fr-badge--warning"],
  infected: ["scanInfected", "fr-badge--error"],
  unscanned: ["scanUnscanned", ""],
  too_large: ["scanTooLarge", "fr-badge--warning"],
};

function files(attachments: Attachment[], strings: Strings, mine: boolean): HTMLElement {
  const list = element("ul", "ens-msg__files");
  for (const file of attachments) {
    const item = element("li");
    item.dataset.scan = file.scan;
    const offered = file.scan === "clean" || file.scan === "unscanned" || (mine && file.scan !== "infected");
    const link = element(offered ? "a" : "span");
    if (link instanceof HTMLAnchorElement) link.href = `/api/v1/chat/attachments/${file.id}/content/`;
    link.dataset.attachment = file.id;
    if (file.thumbnail && file.scan !== "infected") {
      if (link instanceof HTMLAnchorElement) {
        link.target = "_blank";
        link.rel = "noopener";
      }
      const image = element("img", "ens-msg__thumbnail");
      image.src = `/api/v1/chat/attachments/${file.id}/thumbnail/`;
      image.alt = file.name;
      image.loading = "lazy";
      if (file.width && file.height) {
        const scale = Math.min(1, 240 / Math.max(file.width, file.height));
        image.width = Math.round(file.width * scale);
        image.height = Math.round(file.height * scale);
      }
      link.append(image);
    } else {
      if (link instanceof HTMLAnchorElement) {
        link.className = "fr-link fr-icon-attachment-line fr-link--icon-left";
        link.download = file.name;
      }
      link.append(`${file.name} (${humanSize(file.size)})`);
    }
    item.append(link);
    const note = SCAN_NOTES[file.scan];
    if (note) item.append(" ", element("span", `fr-badge fr-badge--sm fr-badge--no-icon ${note[1]}`, strings[note[0]]));
    list.append(item);
  }
  return list;
}

export function messageElement(message: Message, actions: MessageActions, inThread = false): HTMLLIElement {
  const { strings, me } = actions;
  const item = element("li", "ens-msg");
  item.dataset.message = message.id;
  item.dataset.seq = String(message.seq);
  if (message.author === me) item.classList.add("ens-msg--mine");

  const head = element("div", "ens-msg__head");
  head.append(element("strong", "ens-msg__author", message.author_name));
  if (message.guest) head.append(element("span", "fr-badge fr-badge--sm fr-badge--no-icon", strings.guest));
  else if (actions.external(message.author)) head.append(externalBadge(strings));
  const time = element("time", "ens-msg__time", timeFormat.format(new Date(message.created_at)));
  time.dateTime = message.created_at;
  head.append(time);
  if (message.edited && !message.deleted) head.append(element("span", "ens-msg__edited", strings.edited));
  if (message.pinned) {
    const badge = element("span", "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon", `📌 ${strings.pinned}`);
    badge.dataset.pinnedBadge = "";
    head.append(badge);
  }
  item.append(head);

  const parent = message.reply_to && !inThread ? actions.parent(message.reply_to) : undefined;
  if (parent) {
    const quote = element("blockquote", "ens-msg__quote");
    quote.textContent = `${parent.author_name} : ${parent.deleted ? strings.deleted : parent.body.slice(0, 140)}`;
    item.append(quote);
  }

  const body = element("div", "ens-msg__body");
  body.dataset.body = "";
  if (message.deleted) {
    body.append(element("em", "", strings.deleted));
    item.classList.add("ens-msg--deleted");
    item.append(body);
    return item;
  }
  body.innerHTML = message.html; // sanitized by the server (nh3)
  for (const mention of body.querySelectorAll<HTMLElement>(".ens-mention")) {
    if (mention.dataset.user === me) mention.classList.add("ens-mention--me");
  }
  if (message.mentions.includes(me)) item.classList.add("ens-msg--mentions-me");
  item.append(body);
  if (message.attachments.length) item.append(files(message.attachments, strings, message.author === me));

  const reactions = element("div", "ens-msg__reactions");
  for (const [emoji, people] of Object.entries(message.reactions)) {
    const mine = people.includes(me);
    const chip = button(`${emoji} ${people.length}`, "ens-reaction", () => actions.react(message, emoji, !mine));
    chip.setAttribute("aria-pressed", String(mine));
    chip.dataset.reaction = emoji;
    chip.disabled = !actions.canPost;
    reactions.append(chip);
  }
  item.append(reactions);

  const tools = element("div", "ens-msg__actions");
  if (actions.canPost) {
    const picker = element("span", "ens-msg__picker");
    picker.hidden = true;
    for (const emoji of QUICK_REACTIONS) {
      picker.append(button(emoji, "ens-reaction", () => actions.react(message, emoji, true), strings.react));
    }
    tools.append(button(strings.react, "fr-icon-emoji-sticker-line fr-btn--icon-left", () => (picker.hidden = !picker.hidden)));
    tools.append(picker);
    if (!inThread) tools.append(button(strings.reply, "fr-icon-discuss-line fr-btn--icon-left", () => actions.openThread(message)));
    if (message.author === me) tools.append(button(strings.edit, "fr-icon-edit-line fr-btn--icon-left", () => actions.edit(message, item)));
  }
  if (actions.canModerate && !inThread) {
    const label = message.pinned ? strings.unpin : strings.pin;
    tools.append(button(label, "fr-icon-bookmark-line fr-btn--icon-left", () => actions.pin(message, !message.pinned)));
  }
  if (message.author === me || actions.canModerate) {
    tools.append(button(strings.delete, "fr-icon-delete-line fr-btn--icon-left", () => actions.remove(message)));
  }
  item.append(tools);

  const count = inThread ? 0 : actions.replies(message.id);
  if (count) {
    const link = button(count === 1 ? strings.oneReply : fill(strings.replies, { n: count }), "ens-msg__replies", () => actions.openThread(message));
    link.dataset.replies = String(count);
    item.append(link);
  }
  return item;
}
