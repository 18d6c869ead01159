// The Comments panel's calls: a comment on the selected passage carries its anchors and quote,
// replies, resolving, deleting in two presses; the open threads' passages are highlighted.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { anchorOf, CommentHighlights, highlighted, resolveAnchor } from "./anchors";
import { type Comment, DocsApi } from "./api";
import { bindComments } from "./comments";
import { createEditor } from "./editor";
import { readStrings } from "./strings";

const PANEL = `
  <h2 tabindex="-1">Comments</h2>
  <div data-comments-error hidden><p></p></div>
  <button data-comment-selection>Comment on the selected passage</button>
  <form data-comment-new hidden><blockquote data-comment-quote></blockquote><textarea data-comment-body></textarea>
    <button type="submit" data-comment-send>Comment</button><button type="button" data-comment-cancel>Cancel</button></form>
  <input type="checkbox" data-comments-resolved>
  <ul data-comment-list></ul>
  <div hidden data-doc-strings data-reply="Reply" data-resolve="Resolve" data-reopen="Reopen" data-remove="Delete"
    data-confirm-remove="Press again to delete" data-select-first="Select first" data-error="Oops"
    data-passage-gone-note="The passage was deleted. It read:" data-go-to-passage="Go to: {quote}"></div>`;

let calls: [string, string, unknown][];
let threads: Comment[];
const editors: { destroy(): void }[] = [];

function fakeCall<T>(url: string, method = "GET", data?: unknown): Promise<T> {
  calls.push([method, url.replace("/api/v1/docs/documents/d1/", ""), data]);
  if (method === "GET") return Promise.resolve(structuredClone(threads) as T);
  if (method === "POST" && !(data as { thread?: string }).thread) {
    const sent = data as { body: string; anchor_start: string; anchor_end: string; quote: string };
    threads.push({ id: "c1", author: "me", author_name: "Ada", body: sent.body, mentions: [], created_at: "2026-12-01T10:00:00Z",
      edited_at: null, anchor_start: sent.anchor_start, anchor_end: sent.anchor_end, quote: sent.quote, resolved_at: null, resolved_by: null, replies: [] });
  }
  return Promise.resolve(null as T);
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

function setup() {
  const doc = new Y.Doc();
  const element = document.createElement("div");
  const panel = document.createElement("aside");
  panel.innerHTML = PANEL;
  document.body.append(element, panel);
  const editor = createEditor({ element, doc, awareness: new Awareness(doc), user: { name: "Ada", color: "#000091" }, editable: true,
    label: "Document text", placeholder: "", extensions: [CommentHighlights] });
  editors.push(editor);
  const comments = bindComments({ api: new DocsApi("d1", fakeCall), editor, panel, strings: readStrings(panel), canComment: true,
    canModerate: false, me: "me", addButton: null, openPanel: () => undefined });
  return { editor, panel, comments };
}

beforeEach(() => {
  calls = [];
  threads = [];
});
afterEach(() => {
  for (const made of editors.splice(0)) made.destroy();
  document.body.replaceChildren();
});

describe("the Comments panel", () => {
  it("comments on the selected passage with its anchors, then highlights it", async () => {
    const { editor, panel } = setup();
    editor.commands.insertContent("<p>Roads and schools come first.</p>");
    editor.commands.setTextSelection({ from: 11, to: 18 });
    panel.querySelector<HTMLButtonElement>("[data-comment-selection]")!.click();
    expect(panel.querySelector<HTMLElement>("[data-comment-new]")!.hidden).toBe(false);
    expect(panel.querySelector("[data-comment-quote]")!.textContent).toBe("schools");
    panel.querySelector<HTMLTextAreaElement>("[data-comment-body]")!.value = "Which ones?";
    panel.querySelector("form")!.dispatchEvent(new Event("submit"));
    await flush();
    const [method, path, data] = calls.find(([verb]) => verb === "POST")!;
    expect([method, path]).toEqual(["POST", "comments/"]);
    const sent = data as { body: string; anchor_start: string; anchor_end: string; quote: string; mentions: string[] };
    expect(sent).toMatchObject({ body: "Which ones?", quote: "schools", mentions: [] });
    const place = resolveAnchor(editor.state, { start: sent.anchor_start, end: sent.anchor_end })!;
    expect(editor.state.doc.textBetween(place.from, place.to)).toBe("schools");
    expect(panel.querySelector<HTMLElement>("[data-comment-new]")!.hidden).toBe(true);
    expect(panel.querySelectorAll("[data-comment-thread]")).toHaveLength(1);
    expect(highlighted(editor.state).map((mark) => mark.id)).toEqual(["c1"]);

    editor.commands.insertContentAt(1, "First, ");
    expect(editor.state.doc.textBetween(highlighted(editor.state)[0].from, highlighted(editor.state)[0].to)).toBe("schools");
  });

  it("asks for a selection first", () => {
    const { panel } = setup();
    panel.querySelector<HTMLButtonElement>("[data-comment-selection]")!.click();
    expect(panel.querySelector<HTMLElement>("[data-comment-new]")!.hidden).toBe(true);
    expect(panel.querySelector<HTMLElement>("[data-comments-error]")!.textContent).toBe("Select first");
  });

  it("replies, resolves (the highlight goes) and deletes in two presses", async () => {
    const { editor, panel, comments } = setup();
    editor.commands.insertContent("<p>Roads and schools.</p>");
    threads = [{ id: "t1", author: "me", author_name: "Ada", body: "Hm", mentions: [], created_at: "2026-12-01T10:00:00Z", edited_at: null,
      anchor_start: "", anchor_end: "", quote: "", resolved_at: null, resolved_by: null, replies: [] }];
    await comments.refresh();
    panel.querySelector<HTMLButtonElement>("[data-comment-reply]")!.click();
    const field = panel.querySelector<HTMLTextAreaElement>("[data-comment-form] textarea")!;
    field.value = "Agreed";
    field.form!.dispatchEvent(new Event("submit"));
    await flush();
    panel.querySelector<HTMLButtonElement>("[data-comment-resolve]")!.click();
    await flush();
    const remove = panel.querySelector<HTMLButtonElement>("[data-comment-delete]")!;
    remove.click();
    expect(remove.textContent).toBe("Press again to delete");
    remove.click();
    await flush();
    expect(calls.filter(([verb]) => verb !== "GET")).toEqual([
      ["POST", "comments/", { body: "Agreed", thread: "t1", mentions: [] }],
      ["PATCH", "comments/t1/", { resolved: true }],
      ["DELETE", "comments/t1/", undefined],
    ]);
  });

  it("says when a thread's passage is gone (a version restored over it), and still shows its quote", async () => {
    const { editor, panel, comments } = setup();
    editor.commands.setContent("<p>Another text altogether</p>");
    // Anchors that no longer resolve: their text was replaced.
    const gone = new Y.Doc();
    gone.getText("x").insert(0, "old");
    const stale = btoa(String.fromCharCode(...Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(gone.getText("x"), 1))));
    threads = [{ id: "c9", author: "u2", author_name: "Léa", body: "Why this figure?", mentions: [], created_at: "2026-12-01T10:00:00Z",
      edited_at: null, anchor_start: stale, anchor_end: stale, quote: "12 400 €", resolved_at: null, resolved_by: null, replies: [] }];
    await comments.refresh();
    const thread = panel.querySelector<HTMLElement>("[data-comment-thread=c9]")!;
    expect(thread.querySelector("[data-comment-gone]")?.textContent).toBe("The passage was deleted. It read:");
    expect(thread.querySelector("[data-comment-gone-quote]")?.textContent).toBe("12 400 €");
    expect(thread.querySelector("[data-comment-go]")).toBeNull();
    expect(thread.textContent).toContain("Why this figure?");
  });

  it("tells a thread's passage is gone once the text under it is replaced, keeping a reply being written", async () => {
    const { editor, panel, comments } = setup();
    editor.commands.setContent("<p>The festival costs 12 400 euros.</p>");
    const anchor = anchorOf(editor.state, 20, 32)!;
    threads = [{ id: "c8", author: "u2", author_name: "Léa", body: "Source?", mentions: [], created_at: "2026-12-01T10:00:00Z",
      edited_at: null, anchor_start: anchor.start, anchor_end: anchor.end, quote: anchor.quote, resolved_at: null, resolved_by: null, replies: [] }];
    await comments.refresh();
    const thread = panel.querySelector<HTMLElement>("[data-comment-thread=c8]")!;
    expect(thread.querySelector("[data-comment-go]")?.textContent).toBe("12 400 euros");
    thread.querySelector<HTMLButtonElement>("[data-comment-reply]")!.click();
    // A version restored: the whole text replaced.
    editor.commands.setContent("<p>A new text.</p>");
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(thread.isConnected).toBe(true);
    expect(thread.querySelector("[data-comment-go]")).toBeNull();
    expect(thread.querySelector("[data-comment-gone]")?.textContent).toBe("The passage was deleted. It read:");
    expect(thread.querySelector("[data-comment-gone-quote]")?.textContent).toBe("12 400 euros");
    expect(thread.querySelector("[data-comment-form]")).not.toBeNull();
  });
});
