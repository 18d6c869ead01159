// The title edited in place, and a version's comparison as the panel draws it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import { readStrings } from "./strings";
import { editableTitle } from "./title";
import { changesFragment, safeFragment } from "./versions";

const strings = () => {
  const holder = document.createElement("div");
  holder.innerHTML = `<div data-doc-strings data-untitled="Untitled document" data-title-label="Title" data-error="Oops" data-inserted="inserted:" data-deleted="deleted:" data-change-end="(end)"></div>`;
  return readStrings(holder);
};

function title(save: (title: string) => Promise<unknown>) {
  const h1 = document.createElement("h1");
  h1.textContent = "Budget";
  const error = document.createElement("div");
  error.hidden = true;
  error.append(document.createElement("p"));
  document.body.append(h1, error);
  const saved: string[] = [];
  const { field } = editableTitle({ heading: h1, title: "Budget", save, error, strings: strings(), onSaved: (value) => saved.push(value), delay: 1000 });
  expect(h1.textContent).toBe("Budget");
  return { heading: field, error, saved };
}

const type = (heading: HTMLElement, text: string) => {
  heading.textContent = text;
  heading.dispatchEvent(new Event("input"));
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("the title", () => {
  it("is a one-line field saved a second after typing stops, once", async () => {
    const save = vi.fn(async () => ({}));
    const { heading, saved } = title(save);
    expect(heading.contentEditable).toBe("true");
    expect(heading.getAttribute("role")).toBe("textbox");
    type(heading, "Budget 2");
    type(heading, "Budget 2027 ");
    await vi.advanceTimersByTimeAsync(999);
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith("Budget 2027");
    expect(saved).toEqual(["Budget 2027"]);
    heading.dispatchEvent(new Event("blur"));
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(1); // nothing changed since
  });

  it("is saved at once on Enter; Escape puts back the saved title", async () => {
    const save = vi.fn(async () => ({}));
    const { heading } = title(save);
    type(heading, "Minutes");
    heading.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledWith("Minutes");
    type(heading, "Minutes of nothing");
    heading.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    await vi.advanceTimersByTimeAsync(2000);
    expect(heading.textContent).toBe("Minutes");
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("shows the API's refusal", async () => {
    const { heading, error } = title(async () => {
      throw new ApiError(400, "Ensure this field has no more than 255 characters.");
    });
    type(heading, "x");
    await vi.advanceTimersByTimeAsync(1000);
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe("Ensure this field has no more than 255 characters.");
  });
});

describe("a version's comparison", () => {
  it("marks insertions and deletions with <ins>/<del> and words, not colour alone", () => {
    const box = document.createElement("div");
    box.append(
      changesFragment(
        [
          { op: "equal", text: "Roads " },
          { op: "delete", text: "and parks" },
          { op: "insert", text: "and schools" },
        ],
        strings(),
      ),
    );
    expect(box.querySelector("del")?.textContent).toBe("deleted:and parks(end)");
    expect(box.querySelector("ins")?.textContent).toBe("inserted:and schools(end)");
    expect(box.querySelector("ins .fr-sr-only")).not.toBeNull();
  });

  it("shows a version's HTML without what could run", () => {
    const box = document.createElement("div");
    box.append(safeFragment(`<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p><script>alert(1)</script>`));
    expect(box.innerHTML).toBe(`<p>Hi <a>there</a></p>`);
  });
});
