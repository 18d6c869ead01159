// The page's own parts around TipTap: what the toolbar's commands write into the Yjs document
// (element names and attributes the server reads), the status line's words, the mention list.
import { describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { caret, hexColour } from "./colour";
import { PASTE_LIMIT, pasteTooLarge } from "./editor";
import { testEditor } from "./test-editor";
import { insertImage } from "./images";
import { mentionSuggestion, type Person } from "./mentions";
import { statusText } from "./status";
import { readStrings } from "./strings";
import { COMMANDS, currentBlock, setBlock, setCallout } from "./toolbar";

function editor(editable = true) {
  const { editor: made, doc } = testEditor({ editable, placeholder: "Write here" });
  return { made, doc, fragment: doc.getXmlFragment("default") };
}

/** The names of the Yjs elements under the fragment, depth first. */
function names(node: Y.XmlFragment | Y.XmlElement): string[] {
  return node.toArray().flatMap((child) => (child instanceof Y.XmlElement ? [child.nodeName, ...names(child)] : []));
}


describe("the editor's commands, as the server will read them", () => {
  it("writes headings, callouts, page breaks and tables as named elements with their attributes", () => {
    const { made, fragment } = editor();
    made.commands.insertContent("Title");
    expect(setBlock(made, "2")).toBe(true);
    expect(currentBlock(made)).toBe("2");
    made.commands.setTextSelection(made.state.doc.content.size - 1);
    made.commands.splitBlock();
    setBlock(made, "paragraph");
    made.commands.insertContent("Beware");
    expect(setCallout(made, "warning")).toBe(true);
    expect(setCallout(made, "error")).toBe(true); // changes the kind of the callout it is in
    expect(COMMANDS.pageBreak(made)).toBe(true);
    expect(COMMANDS.table(made)).toBe(true);
    expect(COMMANDS.addRowAfter(made)).toBe(true);

    const heading = fragment.get(0) as Y.XmlElement;
    expect(heading.nodeName).toBe("heading");
    expect(heading.getAttribute("level")).toBe(2);
    const callout = fragment.toArray().find((node) => (node as Y.XmlElement).nodeName === "callout") as Y.XmlElement;
    expect(callout.getAttribute("kind")).toBe("error");
    expect(names(fragment)).toEqual(expect.arrayContaining(["pageBreak", "table", "tableRow", "tableHeader", "tableCell"]));
    expect(names(fragment).filter((name) => name === "tableRow")).toHaveLength(4); // 3 and the one added
  });

  it("keeps an inserted image when typing goes on after it", async () => {
    const { made, fragment } = editor();
    const fetched = vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response(JSON.stringify({ url: "/media/docs/1/chart.png" }), { status: 201 }),
    );
    await insertImage(made, "/api/v1/docs/documents/1/images/", new File(["x"], "chart.png", { type: "image/png" }));
    const [url, init] = fetched.mock.calls[0];
    expect(url).toBe("/api/v1/docs/documents/1/images/");
    expect((init?.body as FormData).get("file")).toBeInstanceOf(File);
    made.commands.insertContent("after");
    const image = fragment.toArray().find((node) => (node as Y.XmlElement).nodeName === "image") as Y.XmlElement;
    expect(image.getAttributes()).toMatchObject({ src: "/media/docs/1/chart.png", alt: "chart" });
    expect(fragment.toString()).toContain("after");
    fetched.mockRestore();
  });

  it("marks text with the marks docs.md names, as Yjs formatting attributes", () => {
    const { made, fragment } = editor();
    made.commands.insertContent("bold");
    made.commands.selectAll();
    COMMANDS.bold(made);
    COMMANDS.highlight(made);
    made.chain().setLink({ href: "https://example.org" }).run();
    const text = (fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText;
    expect(text.toDelta()).toEqual([
      { insert: "bold", attributes: { bold: {}, highlight: {}, link: { href: "https://example.org" } } },
    ]);
  });

  it("undoes one's own change (Yjs' undo manager)", () => {
    const { made, fragment } = editor();
    made.commands.insertContent("typed");
    expect(fragment.toString()).toContain("typed");
    COMMANDS.undo(made);
    expect(fragment.toString()).not.toContain("typed");
    COMMANDS.redo(made);
    expect(fragment.toString()).toContain("typed");
  });

  it("is not editable for a reader", () => {
    const { made } = editor(false);
    expect(made.isEditable).toBe(false);
    expect(made.view.dom.getAttribute("aria-readonly")).toBe("true");
  });
});

describe("cursor colours", () => {
  it("are drawn as #rrggbb whatever CSS form the server gives", () => {
    expect(hexColour("#A1b2C3")).toBe("#a1b2c3");
    expect(hexColour("#fa0")).toBe("#ffaa00");
    expect(hexColour("hsl(0, 100%, 50%)")).toBe("#ff0000");
    expect(hexColour("hsl(120, 100%, 25%)")).toBe("#008000");
    expect(hexColour("hsl(339, 70%, 35%)")).toBe("#981b47");
    expect(hexColour("red")).toBe("#666666");
    const bar = caret({ name: "Bob", color: "hsl(240, 100%, 50%)" });
    expect(bar.textContent).toBe("Bob");
    expect((bar.firstChild as HTMLElement).style.backgroundColor).toMatch(/#0000ff|rgb\(0, 0, 255\)/);
  });
});

describe("the status line", () => {
  const holder = document.createElement("div");
  holder.innerHTML = `<div data-doc-strings data-saved="Enregistré" data-syncing="Synchronisation…"
    data-offline="Hors ligne — vos modifications sont gardées sur cet appareil" data-read-only="Lecture seule"
    data-offline-reading="Hors ligne — reconnexion…" data-too-large="Modification trop grande"></div>`;
  const strings = readStrings(holder);

  it("says what the provider's status means, in the page's language", () => {
    expect(statusText("saved", true, strings)).toBe("Enregistré");
    expect(statusText("syncing", true, strings)).toBe("Synchronisation…");
    expect(statusText("offline", true, strings)).toBe("Hors ligne — vos modifications sont gardées sur cet appareil");
    expect(statusText("read-only", true, strings)).toBe("Lecture seule");
    expect(statusText("saved", false, strings)).toBe("Lecture seule");
    // A reader is not promised that changes they cannot make are kept.
    expect(statusText("offline", false, strings)).toBe("Hors ligne — reconnexion…");
    expect(statusText("too-large", true, strings)).toBe("Modification trop grande");
  });
});

describe("the mention list", () => {
  it("lists the people found, moves with the arrows and inserts the chosen one", async () => {
    const list = document.createElement("ul");
    document.body.append(list);
    const people: Person[] = [
      { id: "u1", name: "Ada Lovelace" },
      { id: "u2", name: "Alan Turing", organisation: "DINUM" },
    ];
    const search = vi.fn(async () => people);
    const suggestion = mentionSuggestion(list, readStrings(document), search);
    const items = await suggestion.items!({ query: "a" } as never);
    expect(items).toBe(people);
    const command = vi.fn();
    const renderer = suggestion.render!();
    const props = { items: people, command, clientRect: () => null } as never;
    renderer.onStart!(props);
    expect(list.hidden).toBe(false);
    expect([...list.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["Ada Lovelace", "Alan Turing · DINUM"]);
    renderer.onKeyDown!({ event: new KeyboardEvent("keydown", { key: "ArrowDown" }) } as never);
    expect(list.querySelector("[aria-selected=true]")?.textContent).toContain("Alan");
    renderer.onKeyDown!({ event: new KeyboardEvent("keydown", { key: "Enter" }) } as never);
    expect(command).toHaveBeenCalledWith({ id: "u2", label: "Alan Turing" });
    renderer.onExit!(props);
    expect(list.hidden).toBe(true);
  });
});

describe("a paste", () => {
  const clipboard = (html: string, text: string): DataTransfer =>
    ({ getData: (type: string) => (type === "text/html" ? html : type === "text/plain" ? text : "") }) as DataTransfer;

  it("is refused past 1.5 MB of text, the plain text counted when there is one", () => {
    expect(pasteTooLarge(clipboard("<p>court</p>", "court"))).toBe(false);
    expect(pasteTooLarge(clipboard("", "x".repeat(PASTE_LIMIT)))).toBe(false);
    expect(pasteTooLarge(clipboard("", "x".repeat(PASTE_LIMIT + 1)))).toBe(true);
    expect(pasteTooLarge(clipboard("", "é".repeat(PASTE_LIMIT / 2 + 1)))).toBe(true); // 2 bytes each
    // A word processor's copy: much styling around a short text.
    expect(pasteTooLarge(clipboard(`<p style="x">${"y".repeat(PASTE_LIMIT)}</p>`, "short"))).toBe(false);
    expect(pasteTooLarge(clipboard(`<p>${"y".repeat(PASTE_LIMIT)}</p>`, ""))).toBe(true);
    expect(pasteTooLarge(null)).toBe(false);
  });
});
