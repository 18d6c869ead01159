// What a room's stream events do to the messages a page holds: pure (no DOM), so that what a
// page shows after events can be held to what a fresh fetch gives (events.test.ts).
import type { StreamEvent } from "../stream";
import type { Attachment, Message } from "./api";

/** The ids of the messages to draw again after ``event`` (the message itself, its parent). */
export function applyToMessages(messages: Map<string, Message>, event: StreamEvent): string[] {
  const payload = event.payload;
  switch (event.event) {
    case "chat.message.created": {
      const created = payload as unknown as Message;
      messages.set(created.id, created);
      return created.reply_to ? [created.id, created.reply_to] : [created.id];
    }
    case "chat.message.edited":
    case "chat.message.deleted":
    case "chat.message.pinned": {
      const message = messages.get(String(payload.id));
      if (!message) return [];
      Object.assign(message, payload);
      if (event.event === "chat.message.deleted") {
        Object.assign(message, { deleted: true, body: "", html: "", attachments: [], reactions: {} });
      }
      return [message.id];
    }
    case "chat.reaction.changed": {
      const message = messages.get(String(payload.message));
      if (!message) return [];
      const emoji = String(payload.emoji);
      const people = (message.reactions[emoji] ?? []).filter((user) => user !== payload.user);
      if (payload.on) people.push(String(payload.user));
      if (people.length) message.reactions[emoji] = people;
      else delete message.reactions[emoji];
      return [message.id];
    }
    case "chat.attachment.scanned": {
      const message = messages.get(String(payload.message));
      const file = message?.attachments.find((attachment) => attachment.id === payload.id);
      if (!message || !file) return [];
      file.scan = payload.scan as Attachment["scan"];
      return [message.id];
    }
    default:
      return [];
  }
}
