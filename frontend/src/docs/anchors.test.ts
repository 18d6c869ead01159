// A comment's passage is kept as two Yjs relative positions: its highlight follows one's own
// edits and the others' (arriving as Yjs updates), and goes when its text is deleted.
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { anchorOfSelection, CommentHighlights, highlighted, resolveAnchor, setHighlights } from "./anchors";
import { testEditor } from "./test-editor";

const editor = (doc = new Y.Doc()) => testEditor({ doc, extensions: [CommentHighlights] }).editor;

/** Two editors on two Y.Docs kept in sync as the server would relay updates. */
function pair() {
  const one = new Y.Doc();
  const two = new Y.Doc();
  one.on("update", (update: Uint8Array, origin: unknown) => origin !== "relay" && Y.applyUpdate(two, update, "relay"));
  two.on("update", (update: Uint8Array, origin: unknown) => origin !== "relay" && Y.applyUpdate(one, update, "relay"));
  return [editor(one), editor(two)];
}

const text = (made: ReturnType<typeof editor>, place: { from: number; to: number }): string =>
  made.state.doc.textBetween(place.from, place.to);

describe("comment anchors", () => {
  it("encodes the selection's ends and finds the passage again after edits before it", () => {
    const made = editor();
    made.commands.insertContent("<p>The quick brown fox</p>");
    const start = made.state.doc.textContent.indexOf("brown") + 1;
    made.commands.setTextSelection({ from: start, to: start + 5 });
    const anchor = anchorOfSelection(made.state)!;
    expect(anchor.quote).toBe("brown");
    expect(typeof anchor.start).toBe("string");

    setHighlights(made, [{ id: "c1", ...anchor }]);
    expect(highlighted(made.state).map((place) => [place.id, text(made, place)])).toEqual([["c1", "brown"]]);

    made.commands.insertContentAt(1, "Look: ");
    expect(text(made, resolveAnchor(made.state, anchor)!)).toBe("brown");
    expect(text(made, highlighted(made.state)[0])).toBe("brown");
    expect(made.view.dom.querySelector("[data-comment=c1]")?.textContent).toBe("brown");
  });

  it("follows the others' edits, which arrive as Yjs updates", () => {
    const [mine, theirs] = pair();
    mine.commands.insertContent("<p>Alpha beta gamma</p>");
    expect(theirs.state.doc.textContent).toBe("Alpha beta gamma");
    const start = 1 + "Alpha ".length;
    mine.commands.setTextSelection({ from: start, to: start + 4 });
    const anchor = anchorOfSelection(mine.state)!;
    setHighlights(theirs, [{ id: "c1", ...anchor }]);
    setHighlights(mine, [{ id: "c1", ...anchor }]);
    expect(text(theirs, highlighted(theirs.state)[0])).toBe("beta");

    theirs.commands.insertContentAt(1, "Zero ");
    expect(mine.state.doc.textContent).toBe("Zero Alpha beta gamma");
    expect(text(mine, highlighted(mine.state)[0])).toBe("beta");
    expect(text(theirs, highlighted(theirs.state)[0])).toBe("beta");
  });

  it("draws nothing for a passage whose text was deleted, or an anchor it cannot read", () => {
    const made = editor();
    made.commands.insertContent("<p>Keep this, drop that</p>");
    const start = made.state.doc.textContent.indexOf("drop") + 1;
    made.commands.setTextSelection({ from: start, to: start + 4 });
    const anchor = anchorOfSelection(made.state)!;
    made.commands.deleteRange({ from: start, to: start + 4 });
    setHighlights(made, [{ id: "gone", ...anchor }, { id: "bad", start: "!!", end: "??" }]);
    expect(highlighted(made.state)).toEqual([]);
  });
});
