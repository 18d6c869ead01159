// Where a comment is in the text: the two ends of the passage as Yjs relative positions (they
// follow everyone's edits, unlike offsets), encoded as base64 for the API; and a ProseMirror
// plugin that highlights the passages of the open comments, following local and remote edits.
import { Extension, type Editor } from "@tiptap/core";
import { type EditorState, Plugin, PluginKey, type Transaction } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";

type ProsemirrorMapping = Parameters<typeof absolutePositionToRelativePosition>[2];
import * as Y from "yjs";

export interface Anchor {
  id: string;
  start: string;
  end: string;
}

interface YState {
  doc: Y.Doc;
  type: Y.XmlFragment;
  binding: { mapping: ProsemirrorMapping } | null;
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

const yState = (state: EditorState): YState | null => {
  const found = ySyncPluginKey.getState(state) as YState | undefined;
  return found?.binding ? found : null;
};

/** The ends of ``from``–``to`` as encoded relative positions, and the text between (the quote);
 * null when it is empty or the editor is not bound to the document yet. */
export function anchorOf(state: EditorState, from: number, to: number): { start: string; end: string; quote: string } | null {
  const y = yState(state);
  if (to <= from || !y?.binding) return null;
  const encode = (pos: number): string =>
    toBase64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, y.type, y.binding!.mapping) as Y.RelativePosition));
  return { start: encode(from), end: encode(to), quote: state.doc.textBetween(from, to, " ").slice(0, 1000) };
}

/** The selection's anchor (see anchorOf). */
export const anchorOfSelection = (state: EditorState): ReturnType<typeof anchorOf> =>
  anchorOf(state, state.selection.from, state.selection.to);

/** Where an anchor is now in the editor's document (null when its text is gone or the anchor
 * cannot be read). */
export function resolveAnchor(state: EditorState, anchor: Pick<Anchor, "start" | "end">): { from: number; to: number } | null {
  const y = yState(state);
  if (!y?.binding || !anchor.start || !anchor.end) return null;
  try {
    const resolve = (text: string): number | null =>
      relativePositionToAbsolutePosition(y.doc, y.type, Y.decodeRelativePosition(fromBase64(text)), y.binding!.mapping);
    const from = resolve(anchor.start);
    const to = resolve(anchor.end);
    if (from === null || to === null || to <= from || to > state.doc.content.size) return null;
    return { from, to };
  } catch {
    return null; // an anchor written by another client version, or damaged: no highlight
  }
}

interface Highlights {
  anchors: Anchor[];
  active: string | null;
  decorations: DecorationSet;
}

export const commentsKey = new PluginKey<Highlights>("ensemble-comments");

function decorate(state: EditorState, anchors: Anchor[], active: string | null): DecorationSet {
  const found: Decoration[] = [];
  for (const anchor of anchors) {
    const place = resolveAnchor(state, anchor);
    if (!place) continue;
    found.push(
      Decoration.inline(place.from, place.to, {
        class: anchor.id === active ? "ens-doc__commented ens-doc__commented--active" : "ens-doc__commented",
        "data-comment": anchor.id,
      }, { id: anchor.id }),
    );
  }
  return DecorationSet.create(state.doc, found);
}

/** The highlights: recomputed from the relative positions when Yjs changed the document (a
 * remote edit, the first load) or the anchors changed; moved with the transaction's mapping on
 * one's own edits (Yjs has not seen those yet when the plugin's state is computed). */
export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  priority: 50, // after Collaboration (1000), whose sync state the resolution reads
  addProseMirrorPlugins() {
    return [
      new Plugin<Highlights>({
        key: commentsKey,
        state: {
          init: () => ({ anchors: [], active: null, decorations: DecorationSet.empty }),
          apply(tr: Transaction, value: Highlights, _old: EditorState, state: EditorState): Highlights {
            const given = tr.getMeta(commentsKey) as Partial<Pick<Highlights, "anchors" | "active">> | undefined;
            if (given || tr.getMeta(ySyncPluginKey)) {
              const anchors = given?.anchors ?? value.anchors;
              const active = given && "active" in given ? (given.active ?? null) : value.active;
              return { anchors, active, decorations: decorate(state, anchors, active) };
            }
            if (!tr.docChanged) return value;
            return { ...value, decorations: value.decorations.map(tr.mapping, tr.doc) };
          },
        },
        props: {
          decorations: (state) => commentsKey.getState(state)?.decorations,
        },
      }),
    ];
  },
});

/** Show these comments' passages (the open ones), ``active`` stronger. */
export function setHighlights(editor: Editor, anchors: Anchor[], active: string | null = null): void {
  if (editor.isDestroyed) return;
  editor.view.dispatch(editor.state.tr.setMeta(commentsKey, { anchors, active }).setMeta("addToHistory", false));
}

/** The passages highlighted now, in document order (tests, and the panel's "go to passage"). */
export function highlighted(state: EditorState): { id: string; from: number; to: number }[] {
  const set = commentsKey.getState(state)?.decorations;
  if (!set) return [];
  return set.find().map((decoration) => ({
    id: (decoration.spec as { id: string }).id,
    from: decoration.from,
    to: decoration.to,
  }));
}
