// Stream events applied to the messages a page holds give what a fresh fetch would.
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../stream";
import type { Message } from "./api";
import { applyToMessages } from "./events";

let seq = 0;
const event = (name: string, payload: Record<string, unknown>): StreamEvent => ({
  type: "event",
  stream: "chat.room.r",
  seq: ++seq,
  event: name,
  payload,
});

function message(id: string, changes: Partial<Message> = {}): Message {
  return {
    id,
    seq: ++seq,
    room: "r",
    author: "ana",
    author_name: "Ana",
    guest: false,
    body: "hello",
    html: "<p>hello</p>",
    reply_to: null,
    created_at: "2026-11-30T10:00:00Z",
    edited: false,
    deleted: false,
    pinned: false,
    reactions: {},
    attachments: [],
    mentions: [],
    ...changes,
  };
}

const held = (...list: Message[]) => new Map(list.map((item) => [item.id, structuredClone(item)]));

describe("applyToMessages", () => {
  it("adds a new message, and redraws the message it answers", () => {
    const messages = held(message("m1"));
    const reply = message("m2", { reply_to: "m1" });
    expect(applyToMessages(messages, event("chat.message.created", { ...reply }))).toEqual(["m2", "m1"]);
    expect(messages.get("m2")).toEqual(reply);
  });

  it("takes an edit and a pin as the server sends them", () => {
    const messages = held(message("m1"));
    applyToMessages(messages, event("chat.message.edited", { id: "m1", body: "bye", html: "<p>bye</p>", edited: true }));
    applyToMessages(messages, event("chat.message.pinned", { id: "m1", pinned: true }));
    expect(messages.get("m1")).toMatchObject({ body: "bye", html: "<p>bye</p>", edited: true, pinned: true });
  });

  it("empties a deleted message whatever the event carries", () => {
    const file = { id: "f1", name: "a.pdf", content_type: "application/pdf", size: 3, width: null, height: null, thumbnail: false, scan: "clean" as const };
    const messages = held(message("m1", { attachments: [file], reactions: { "👍": ["bob"] } }));
    applyToMessages(messages, event("chat.message.deleted", { id: "m1" }));
    expect(messages.get("m1")).toMatchObject({ deleted: true, body: "", html: "", attachments: [], reactions: {} });
  });

  it("counts each person's reaction once and drops emptied reactions", () => {
    const messages = held(message("m1"));
    const react = (user: string, on: boolean) => applyToMessages(messages, event("chat.reaction.changed", { message: "m1", emoji: "🎉", user, on }));
    react("ana", true);
    react("ana", true);
    react("bob", true);
    expect(messages.get("m1")?.reactions).toEqual({ "🎉": ["ana", "bob"] });
    react("ana", false);
    react("bob", false);
    expect(messages.get("m1")?.reactions).toEqual({});
  });

  it("changes a file's scan state in its message", () => {
    const file = { id: "f1", name: "a.pdf", content_type: "application/pdf", size: 3, width: null, height: null, thumbnail: false, scan: "pending" as const };
    const messages = held(message("m1", { attachments: [file] }));
    expect(applyToMessages(messages, event("chat.attachment.scanned", { id: "f1", message: "m1", scan: "infected" }))).toEqual(["m1"]);
    expect(messages.get("m1")?.attachments[0].scan).toBe("infected");
  });

  it("ignores events about messages the page does not hold", () => {
    const messages = held(message("m1"));
    const before = structuredClone([...messages.values()]);
    for (const name of ["chat.message.edited", "chat.message.deleted", "chat.message.pinned"]) {
      expect(applyToMessages(messages, event(name, { id: "elsewhere", pinned: true }))).toEqual([]);
    }
    expect(applyToMessages(messages, event("chat.reaction.changed", { message: "elsewhere", emoji: "👍", user: "x", on: true }))).toEqual([]);
    expect(applyToMessages(messages, event("chat.attachment.scanned", { id: "f9", message: "m1", scan: "clean" }))).toEqual([]);
    expect([...messages.values()]).toEqual(before);
  });
});
