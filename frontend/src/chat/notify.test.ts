// Which messages make a browser notification: mentions and direct messages, in the background.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mentionsMe, newForMe, Notifier, type NoticeRoom, wantsNotice } from "./notify";

const room = (changes: Partial<NoticeRoom> = {}): NoticeRoom => ({
  id: "r1",
  kind: "private",
  title: "Cellule budget",
  notify: "mentions",
  mentions: 0,
  unread: 0,
  ...changes,
});
const message = { id: "m1", seq: 7, author: "alice", author_name: "Alice", body: "@Bob Martin le budget ?", mentions: ["bob"] };
const strings = {
  notifyOn: "Turn on notifications",
  notifyMention: "{author} mentioned you in {room}",
  notifyDirect: "{author} wrote to you",
  notifyCount: "{n} new messages for you in {room}",
};

describe("mentions", () => {
  it("finds oneself among the people named, and @room only from moderators", () => {
    expect(mentionsMe({ ...message, mentions: ["ana", "bob"] }, "bob", false)).toBe(true);
    expect(mentionsMe({ ...message, mentions: ["ana"] }, "bob", false)).toBe(false);
    expect(mentionsMe({ ...message, body: "@bob@example.fr", mentions: [] }, "bob", false)).toBe(false);
    expect(mentionsMe({ ...message, body: "@room meeting now", mentions: [] }, "bob", true)).toBe(true);
    expect(mentionsMe({ ...message, body: "@room meeting now", mentions: [] }, "bob", false)).toBe(false);
    expect(mentionsMe({ ...message, body: "@roommate", mentions: [] }, "bob", true)).toBe(false);
  });
});

describe("which messages make a notice", () => {
  it("mentions and direct messages, in the background, from someone else, unless muted", () => {
    expect(wantsNotice(room(), message, "bob", true, true)).toBe(true);
    expect(wantsNotice(room(), message, "bob", false, true)).toBe(false); // the tab is in view
    expect(wantsNotice(room(), message, "bob", true, false)).toBe(false); // not named
    expect(wantsNotice(room({ kind: "direct" }), message, "bob", true, false)).toBe(true);
    expect(wantsNotice(room({ notify: "none" }), message, "bob", true, true)).toBe(false);
    expect(wantsNotice(room(), message, "alice", true, true)).toBe(false); // one's own
    expect(wantsNotice(room(), { ...message, author: null }, "bob", true, true)).toBe(false);
  });

  it("counts another room's new mentions, or a direct room's new messages", () => {
    expect(newForMe(room({ mentions: 1 }), room({ mentions: 3, unread: 9 }))).toBe(2);
    expect(newForMe(room({ mentions: 3 }), room({ mentions: 0 }))).toBe(0); // read meanwhile
    expect(newForMe(room({ kind: "direct", unread: 1 }), room({ kind: "direct", unread: 2 }))).toBe(1);
    expect(newForMe(undefined, room({ mentions: 3 }))).toBe(0);
    expect(newForMe(room(), room({ mentions: 1, notify: "none" }))).toBe(0);
  });
});

describe("the notifier", () => {
  afterEach(() => vi.unstubAllGlobals());

  function fakeNotifications(permission: string): { shown: { title: string; options: NotificationOptions }[] } {
    const record = { shown: [] as { title: string; options: NotificationOptions }[] };
    class FakeNotification {
      static permission = permission;
      static requestPermission = vi.fn(async () => "granted");
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions) {
        record.shown.push({ title, options });
      }
      close(): void {}
    }
    vi.stubGlobal("Notification", FakeNotification);
    return record;
  }

  it("offers a button only while permission is not decided, and asks only when pressed", async () => {
    fakeNotifications("default");
    const notifier = new Notifier("bob", strings);
    const button = notifier.button();
    expect(button?.textContent).toBe("Turn on notifications");
    expect(Notification.requestPermission).not.toHaveBeenCalled();
    button?.click();
    await vi.waitFor(() => expect(Notification.requestPermission).toHaveBeenCalledOnce());
    fakeNotifications("denied");
    expect(new Notifier("bob", strings).button()).toBeNull();
  });

  it("shows a mention in the background with the author and the room", async () => {
    const record = fakeNotifications("granted");
    const notifier = new Notifier("bob", strings);
    vi.spyOn(document, "hidden", "get").mockReturnValue(true);
    notifier.message(room(), message, false);
    notifier.message(room(), { ...message, body: "sans mention", mentions: [] }, false);
    notifier.counts(room({ id: "r2", title: "Forum", mentions: 0 }), room({ id: "r2", title: "Forum", mentions: 2 }));
    expect(record.shown.map((notice) => notice.title)).toEqual([
      "Alice mentioned you in Cellule budget",
      "2 new messages for you in Forum",
    ]);
    expect(record.shown[0].options.body).toBe("@Bob Martin le budget ?");
  });
});
