// The Docs editor's schema, in one place (ADR 0008): the TipTap extensions whose nodes and marks
// make a document. The server reads the same schema from ensemble/docs/schema.json (written from
// this module by `npm run docs-schema`; schema.test.ts fails when the two differ), so every
// attribute kept here is one the server renders and writes: extensions' extra attributes
// (image size, link target, ordered-list type, mention trigger) are left out on purpose.
import { type AnyExtension, type Extensions, getSchema, mergeAttributes, Node } from "@tiptap/core";
import Highlight from "@tiptap/extension-highlight";
import Image from "@tiptap/extension-image";
import Link from "@tiptap/extension-link";
import { OrderedList, TaskItem, TaskList } from "@tiptap/extension-list";
import Mention, { type MentionOptions } from "@tiptap/extension-mention";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import StarterKit from "@tiptap/starter-kit";
import type { Schema } from "@tiptap/pm/model";
import { NodeSelection, TextSelection, type Transaction } from "@tiptap/pm/state";

export const CALLOUT_KINDS = ["info", "warning", "success", "error"] as const;
export type CalloutKind = (typeof CALLOUT_KINDS)[number];

/** Keep only ``names`` of the attributes an extension defines (its parent's ``addAttributes``). */
function onlyAttributes<T extends AnyExtension>(extension: T, names: string[]): T {
  const config = {
    addAttributes(this: { parent?: () => Record<string, unknown> | undefined }) {
      const all = this.parent?.() ?? {};
      return Object.fromEntries(names.map((name) => [name, all[name]]));
    },
  };
  return extension.extend(config as never) as T;
}

declare module "@tiptap/core" {
  interface Commands<ReturnType> {
    callout: { setCallout: (kind: CalloutKind) => ReturnType; unsetCallout: () => ReturnType };
    pageBreak: { setPageBreak: () => ReturnType };
    pageLink: { insertPageLink: (attrs: { id: string; title: string }) => ReturnType };
  }
}

/** A framed block of other blocks, of one kind (info, warning, success, error): DSFR's callout. */
export const Callout = Node.create({
  name: "callout",
  group: "block",
  content: "block+",
  defining: true,
  addAttributes() {
    return {
      kind: {
        default: "info",
        parseHTML: (element: HTMLElement) => {
          const kind = element.getAttribute("data-kind");
          return CALLOUT_KINDS.includes(kind as CalloutKind) ? kind : "info";
        },
        renderHTML: (attributes: { kind: string }) => ({ "data-kind": attributes.kind }),
      },
    };
  },
  parseHTML: () => [{ tag: 'div[data-type="callout"]' }],
  renderHTML({ HTMLAttributes, node }) {
    const attrs = { "data-type": "callout", class: `ens-callout ens-callout--${node.attrs.kind}` };
    return ["div", mergeAttributes(attrs, HTMLAttributes), 0];
  },
  addCommands() {
    return {
      setCallout:
        (kind) =>
        ({ commands }) =>
          commands.wrapIn(this.name, { kind }),
      unsetCallout:
        () =>
        ({ commands }) =>
          commands.lift(this.name),
    };
  },
});

/** After inserting a block atom (page break, image), put the cursor in the text block after it,
 * adding a paragraph where there is none: left selected, the atom would be replaced by the next
 * thing typed or inserted. */
export function cursorAfterBlock({ tr }: { tr: Transaction }): boolean {
  const { selection } = tr;
  if (!(selection instanceof NodeSelection) || !selection.node.isBlock) return true;
  const after = selection.to;
  if (!tr.doc.resolve(after).nodeAfter?.isTextblock) {
    tr.insert(after, tr.doc.type.schema.nodes.paragraph.create());
  }
  tr.setSelection(TextSelection.create(tr.doc, after + 1));
  return true;
}

/** Where a printed or exported document starts a new page. */
export const PageBreak = Node.create({
  name: "pageBreak",
  group: "block",
  atom: true,
  selectable: true,
  parseHTML: () => [{ tag: 'div[data-type="page-break"]' }],
  renderHTML: ({ HTMLAttributes }) => [
    "div",
    // No style attribute (the page's CSP refuses them): docs.css breaks the printed page, and
    // the server's export writes what its converters read.
    mergeAttributes({ "data-type": "page-break", class: "ens-page-break" }, HTMLAttributes),
  ],
  addCommands() {
    return {
      setPageBreak:
        () =>
        ({ chain }) =>
          chain().insertContent({ type: this.name }).command(cursorAfterBlock).run(),
    };
  },
});

/** A link to another document of the suite, by id, showing its title as it was when linked. */
export const PageLink = Node.create({
  name: "pageLink",
  group: "inline",
  inline: true,
  atom: true,
  addAttributes() {
    return {
      id: { default: null, parseHTML: (element: HTMLElement) => element.getAttribute("data-id") },
      title: { default: "", parseHTML: (element: HTMLElement) => element.textContent ?? "" },
    };
  },
  parseHTML: () => [{ tag: 'a[data-type="page-link"]' }],
  renderHTML: ({ node }) => [
    "a",
    { "data-type": "page-link", "data-id": node.attrs.id, href: `/docs/${node.attrs.id}/`, class: "ens-page-link" },
    node.attrs.title || String(node.attrs.id),
  ],
  renderText: ({ node }) => node.attrs.title,
  addCommands() {
    return {
      insertPageLink:
        (attrs) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs }),
    };
  },
});

export interface SchemaOptions {
  /** The @-mention suggestion (the page's people list); none where only the schema is wanted. */
  mention?: MentionOptions["suggestion"];
}

/** The extensions that make the document's schema (and their editing behaviour). The page adds
 * Collaboration, its caret and a placeholder, which change no node or mark. */
export function docExtensions(options: SchemaOptions = {}): Extensions {
  return [
    StarterKit.configure({
      undoRedo: false, // Yjs' undo manager (Collaboration) undoes one's own changes only
      link: false,
      orderedList: false,
      heading: { levels: [1, 2, 3, 4, 5, 6] },
    }),
    onlyAttributes(Link, ["href"]).configure({
      openOnClick: false,
      autolink: true,
      defaultProtocol: "https",
    }),
    onlyAttributes(OrderedList, ["start"]),
    TaskList,
    TaskItem.configure({ nested: true }),
    onlyAttributes(Image, ["src", "alt", "title"]),
    Table.configure({ resizable: false }),
    TableRow,
    onlyAttributes(TableHeader, ["colspan", "rowspan", "colwidth"]),
    onlyAttributes(TableCell, ["colspan", "rowspan", "colwidth"]),
    Highlight.configure({ multicolor: false }),
    onlyAttributes(Mention, ["id", "label"]).configure({
      HTMLAttributes: { class: "ens-mention" },
      ...(options.mention ? { suggestion: options.mention } : {}),
    }),
    Callout,
    PageBreak,
    PageLink,
  ];
}

/** The ProseMirror schema of a document, as the editor builds it. */
export const docSchema = (): Schema => getSchema(docExtensions());
