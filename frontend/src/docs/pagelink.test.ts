// "Link to a page": the search's lists, and the pageLink node it writes (id and title).
import { afterEach, describe, expect, it } from "vitest";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocumentData } from "./api";
import { createEditor } from "./editor";
import type { findPages } from "./pages";
import { bindPageLink } from "./pagelink";
import { readStrings } from "./strings";

const editors: { destroy(): void }[] = [];
afterEach(() => {
  for (const made of editors.splice(0)) made.destroy();
  document.body.replaceChildren();
});
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

function setup() {
  const doc = new Y.Doc();
  document.body.innerHTML = `<div id="text"></div><button data-page-link-toggle aria-expanded="false"></button>
    <div data-page-link-box hidden><input data-page-link-search><button data-page-link-cancel></button><ul data-page-link-results></ul></div>
    <div hidden data-doc-strings data-untitled="Untitled document" data-no-page="No document found."></div>`;
  const editor = createEditor({ element: document.getElementById("text")!, doc, awareness: new Awareness(doc), user: { name: "Ada", color: "#000091" },
    editable: true, label: "Document text", placeholder: "" });
  editors.push(editor);
  const asked: string[] = [];
  let pages = [{ id: "p1", title: "Budget 2027" }, { id: "p2", title: "" }] as DocumentData[];
  const find: typeof findPages = async (query, options) => {
    asked.push(`${query}|${(query ? options.searched : options.idle).join(",")}|${options.exclude}`);
    return pages;
  };
  const toggle = document.querySelector<HTMLButtonElement>("[data-page-link-toggle]")!;
  const box = document.querySelector<HTMLElement>("[data-page-link-box]")!;
  bindPageLink({ editor, toggle, box, strings: readStrings(document.body), current: "d1", find, delay: 0 });
  return { editor, doc, toggle, box, asked, setPages: (next: DocumentData[]) => (pages = next) };
}

describe("Link to a page", () => {
  it("lists the recent documents, and inserts the one chosen as a pageLink node", async () => {
    const { editor, doc, toggle, box, asked } = setup();
    editor.commands.setContent("<p>See </p>");
    editor.commands.setTextSelection(5);
    toggle.click();
    await flush();
    expect(box.hidden).toBe(false);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(asked).toEqual(["|recent,mine,shared|d1"]);
    const items = [...box.querySelectorAll<HTMLElement>("[data-page-link-result]")];
    expect(items.map((item) => item.textContent)).toEqual(["Budget 2027", "Untitled document"]);
    const input = box.querySelector<HTMLInputElement>("[data-page-link-search]")!;
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(box.hidden).toBe(true);
    const json = editor.getJSON();
    expect(json.content?.[0].content?.[1]).toEqual({ type: "pageLink", attrs: { id: "p1", title: "Budget 2027" } });
    // The Yjs document holds it as the server reads it.
    const link = doc.getXmlFragment("default").toArray()[0] as Y.XmlElement;
    const node = link.toArray().find((child) => child instanceof Y.XmlElement) as Y.XmlElement;
    expect(node.nodeName).toBe("pageLink");
    expect(node.getAttributes()).toMatchObject({ id: "p1", title: "Budget 2027" });
  });

  it("searches what is typed in one's lists, says when nothing is found, and closes on Escape", async () => {
    const { toggle, box, asked, setPages } = setup();
    toggle.click();
    await flush();
    setPages([]);
    const input = box.querySelector<HTMLInputElement>("[data-page-link-search]")!;
    input.value = "compte";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(asked[1]).toBe("compte|mine,shared,recent|d1");
    expect(box.querySelector("[data-page-link-none]")?.textContent).toBe("No document found.");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(box.hidden).toBe(true);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
  });

  it("inserts an untitled page with the page's word for it", async () => {
    const { editor, toggle, box } = setup();
    toggle.click();
    await flush();
    box.querySelectorAll<HTMLElement>("[data-page-link-result]")[1].dispatchEvent(new MouseEvent("mousedown"));
    expect(JSON.stringify(editor.getJSON())).toContain('"title":"Untitled document"');
  });
});
