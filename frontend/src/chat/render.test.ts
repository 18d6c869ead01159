// How a message's files look for their sender and for the others, by malware scan state.
import { describe, expect, it } from "vitest";
import type { Attachment, Message } from "./api";
import { messageElement, type MessageActions } from "./render";

const strings = {
  scanPending: "Being checked for malware",
  scanFailed: "Could not be checked for malware yet",
  scanInfected: "Malware found",
  scanUnscanned: "Not checked for malware",
};

function shown(scan: Attachment["scan"], reader: string, thumbnail = false): HTMLElement {
  const file: Attachment = { id: "f1", name: "report.pdf", content_type: "application/pdf", size: 2048, width: 10, height: 10, thumbnail, scan };
  const message: Message = {
    id: "m1", seq: 1, room: "r", author: "ana", author_name: "Ana", guest: false, body: "", html: "",
    reply_to: null, created_at: "2026-11-30T10:00:00Z", edited: false, deleted: false, pinned: false,
    reactions: {}, attachments: [file], mentions: [],
  };
  const nothing = () => undefined;
  const actions: MessageActions = {
    me: reader, strings, canModerate: false, canPost: false, replies: () => 0, parent: () => undefined,
    external: () => false, react: nothing, openThread: nothing, edit: nothing, pin: nothing, remove: nothing,
  };
  return messageElement(message, actions).querySelector<HTMLElement>("[data-scan]")!;
}

const link = (item: HTMLElement) => item.querySelector("a[href$='/content/']");

describe("a message's files", () => {
  it("are offered to everyone once clean, without a note", () => {
    const item = shown("clean", "bob");
    expect(link(item)).not.toBeNull();
    expect(item.textContent).not.toContain("malware");
  });

  it("are offered only to their sender while the scan is pending or failed", () => {
    for (const [scan, note] of [["pending", strings.scanPending], ["failed", strings.scanFailed]] as const) {
      expect(link(shown(scan, "ana"))).not.toBeNull();
      const other = shown(scan, "bob");
      expect(link(other)).toBeNull();
      expect(other.textContent).toContain("report.pdf");
      expect(other.textContent).toContain(note);
    }
  });

  it("are offered to nobody, without a picture, once malware is found", () => {
    for (const reader of ["ana", "bob"]) {
      const item = shown("infected", reader, true);
      expect(link(item)).toBeNull();
      expect(item.querySelector("img")).toBeNull();
      expect(item.textContent).toContain(strings.scanInfected);
    }
  });

  it("are offered with a note when no scanner checked them", () => {
    const item = shown("unscanned", "bob");
    expect(link(item)).not.toBeNull();
    expect(item.textContent).toContain(strings.scanUnscanned);
  });
});
