// Browser notifications (the Notification API) for mentions and direct messages while the tab
// is in the background. Permission is asked only from a button the person presses, never on
// load; once granted, a notice shows the room and the author, and a click opens the message.

export interface NoticeRoom {
  id: string;
  kind: string;
  title: string;
  notify: string | null;
  mentions: number;
  unread: number;
}

export interface NoticeMessage {
  id: string;
  seq: number;
  author: string | null;
  author_name: string;
  body: string;
  mentions: string[];
}

export interface NoticeStrings {
  notifyOn: string; // the button's label
  notifyMention: string; // "{author} mentioned you in {room}"
  notifyDirect: string; // "{author} wrote to you"
  notifyCount: string; // "{n} new messages for you in {room}"
}

const fill = (text: string, values: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

/** Whether the message names ``me`` (the people it mentions, by id), or the whole room when
 * its author may (moderators and administrators). */
export function mentionsMe(message: NoticeMessage, me: string, authorModerates: boolean): boolean {
  return message.mentions.includes(me) || (authorModerates && /(^|[^\w@])@room\b/i.test(message.body));
}

/** Whether a new message of the open room deserves a notice: the tab is in the background,
 * someone else wrote it, the room is not muted, and it is a direct message or names me. */
export function wantsNotice(room: NoticeRoom, message: NoticeMessage, me: string, hidden: boolean, mentioned: boolean): boolean {
  if (!hidden || !message.author || message.author === me || room.notify === "none") return false;
  return room.kind === "direct" || mentioned;
}

/** How many new messages of another room deserve a notice, from its counts before and after
 * (the server's counts: its mentions follow the same rules as its notifications). */
export function newForMe(before: NoticeRoom | undefined, after: NoticeRoom): number {
  if (!before || after.notify === "none") return 0;
  if (after.kind === "direct") return Math.max(0, after.unread - before.unread);
  return Math.max(0, after.mentions - before.mentions);
}

export class Notifier {
  constructor(
    private readonly me: string,
    private readonly strings: NoticeStrings,
  ) {}

  get supported(): boolean {
    return typeof window !== "undefined" && "Notification" in window;
  }

  get allowed(): boolean {
    return this.supported && Notification.permission === "granted";
  }

  /** A button asking for permission, shown while it is neither granted nor refused. */
  button(): HTMLButtonElement | null {
    if (!this.supported || Notification.permission !== "default") return null;
    const node = document.createElement("button");
    node.type = "button";
    node.className = "fr-btn fr-btn--sm fr-btn--tertiary fr-icon-notification-3-line fr-btn--icon-left";
    node.textContent = this.strings.notifyOn;
    node.dataset.notifyPermission = "";
    node.onclick = async () => {
      const answer = await Notification.requestPermission();
      node.hidden = answer !== "default";
    };
    return node;
  }

  /** A message arrived in the open room. */
  message(room: NoticeRoom, message: NoticeMessage, authorModerates: boolean): void {
    const mentioned = mentionsMe(message, this.me, authorModerates);
    if (!this.allowed || !wantsNotice(room, message, this.me, document.hidden, mentioned)) return;
    const title = room.kind === "direct" ? this.strings.notifyDirect : this.strings.notifyMention;
    this.show(fill(title, { author: message.author_name, room: room.title }), message.body, room.id, message.seq);
  }

  /** Another room's counts changed (it is not open: its messages are not read here). */
  counts(before: NoticeRoom | undefined, after: NoticeRoom): void {
    const count = newForMe(before, after);
    if (!this.allowed || !document.hidden || count === 0) return;
    this.show(fill(this.strings.notifyCount, { n: count, room: after.title }), "", after.id);
  }

  private show(title: string, body: string, room: string, seq?: number): void {
    const notice = new Notification(title, { body: body.slice(0, 200), tag: `chat:${room}` });
    notice.onclick = () => {
      window.focus();
      window.location.assign(seq === undefined ? `/chat/${room}/` : `/chat/${room}/?at=${seq}`);
      notice.close();
    };
  }
}
