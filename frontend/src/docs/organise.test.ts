// "Use as a template" and "Move": what each sends, and what the page shows when it is refused.
import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { type DocumentData, DocsApi } from "./api";
import { bindMove, bindTemplateToggle } from "./organise";
import type { findPages } from "./pages";
import { readStrings } from "./strings";

let calls: [string, string, unknown][];
let refuse: string | null;

function fakeCall<T>(url: string, method = "GET", data?: unknown): Promise<T> {
  calls.push([method, url.replace("/api/v1/docs/documents/d1/", ""), data]);
  if (refuse) return Promise.reject(new ApiError(400, refuse));
  return Promise.resolve({ id: "d1", ...(data as object) } as T);
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};
const STRINGS = `<div hidden data-doc-strings data-error="Oops" data-untitled="Untitled" data-move-here="where it is now"
  data-move-pick="Choose a place" data-moved="Moved" data-no-page="None found"></div>`;

beforeEach(() => {
  calls = [];
  refuse = null;
  document.body.replaceChildren();
});

describe("Use as a template", () => {
  it("sends the change, and undoes it with the reason when refused", async () => {
    document.body.innerHTML = `<input type="checkbox" data-template-toggle><div data-error hidden><p></p></div>${STRINGS}`;
    const toggle = document.querySelector<HTMLInputElement>("[data-template-toggle]")!;
    const error = document.querySelector<HTMLElement>("[data-error]")!;
    bindTemplateToggle(new DocsApi("d1", fakeCall), toggle, error, readStrings(document.body));
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
    await flush();
    expect(calls).toEqual([["PATCH", "", { is_template: true }]]);
    expect(toggle.checked).toBe(true);
    refuse = "You may not change this document.";
    toggle.checked = false;
    toggle.dispatchEvent(new Event("change"));
    await flush();
    expect(toggle.checked).toBe(true);
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe("You may not change this document.");
  });
});

describe("Move", () => {
  const DIALOG = `<button data-move-open>Move</button><dialog data-move-dialog><form data-move-form>
    <div data-move-error hidden><p></p></div><input data-move-search>
    <div class="fr-radio-group"><input type="radio" name="parent" value="" data-move-target=""><label>The root</label></div>
    <div data-move-options></div><p data-move-status></p><button type="submit" data-move-submit>Move here</button></form></dialog>${STRINGS}`;

  function setup(parent: string) {
    document.body.innerHTML = DIALOG;
    const dialog = document.querySelector<HTMLDialogElement>("dialog")!;
    dialog.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    let moved = 0;
    const asked: Parameters<typeof findPages>[] = [];
    const find: typeof findPages = async (...args) => {
      asked.push(args);
      return [{ id: "p1", title: "Projets" }, { id: "p2", title: "" }] as DocumentData[];
    };
    const move = bindMove({
      api: new DocsApi("d1", fakeCall),
      dialog,
      opener: document.querySelector<HTMLButtonElement>("[data-move-open]")!,
      strings: readStrings(document.body),
      parent,
      find,
      done: () => moved++,
    });
    return { dialog, move, asked, moved: () => moved };
  }

  it("offers the documents one may add pages below, the current place marked, and moves there", async () => {
    const { dialog, asked, moved } = setup("p1");
    document.querySelector<HTMLButtonElement>("[data-move-open]")!.click();
    await flush();
    expect(asked[0][0]).toBe("");
    expect(asked[0][1].exclude).toEqual(["d1"]);
    expect(asked[0][1].keep?.({ abilities: { create_child: false } } as unknown as DocumentData)).toBe(false);
    const here = dialog.querySelector<HTMLInputElement>("[data-move-target=p1]")!;
    expect(here.disabled).toBe(true);
    expect(here.parentElement?.textContent).toBe("Projetswhere it is now");
    expect(dialog.querySelector("[data-move-target=p2]")?.parentElement?.textContent).toBe("Untitled");
    // Nothing chosen: said so, nothing sent.
    dialog.querySelector("form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(dialog.querySelector("[data-move-error]")?.textContent).toBe("Choose a place");
    expect(calls).toEqual([]);
    dialog.querySelector<HTMLInputElement>("[data-move-target=p2]")!.checked = true;
    dialog.querySelector("form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(calls).toEqual([["POST", "move/", { parent: "p2" }]]);
    expect(moved()).toBe(1);
  });

  it("moves to the root, and shows a refusal", async () => {
    const { dialog, moved } = setup("p1");
    document.querySelector<HTMLButtonElement>("[data-move-open]")!.click();
    await flush();
    refuse = "A document cannot be moved below itself.";
    dialog.querySelector<HTMLInputElement>("[data-move-target='']")!.checked = true;
    dialog.querySelector("form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(calls).toEqual([["POST", "move/", { parent: null }]]);
    expect(dialog.querySelector("[data-move-error]")?.textContent).toBe("A document cannot be moved below itself.");
    expect(moved()).toBe(0);
  });

  it("does not offer the root to a document already there", () => {
    const { dialog } = setup("");
    expect(dialog.querySelector<HTMLInputElement>("[data-move-target='']")!.disabled).toBe(true);
  });
});
