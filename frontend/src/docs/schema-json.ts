// The editor's schema as plain JSON for the server (ensemble/docs/schema.json): what a node or
// mark is called, which attributes it has and their defaults, and where it may stand. Order is
// kept (lists, not objects keyed by name): ProseMirror's first block node is the default one and
// mark order is the order marks nest in when rendered.
import type { MarkType, NodeType, Schema } from "@tiptap/pm/model";

export interface AttributeJson {
  name: string;
  /** Absent when the attribute must be given. */
  default?: unknown;
}

export interface NodeJson {
  name: string;
  content: string;
  group: string | null;
  inline: boolean;
  atom: boolean;
  leaf: boolean;
  marks: string | null;
  defining: boolean;
  isolating: boolean;
  code: boolean;
  attrs: AttributeJson[];
}

export interface MarkJson {
  name: string;
  inclusive: boolean;
  excludes: string | null;
  spanning: boolean;
  code: boolean;
  attrs: AttributeJson[];
}

export interface SchemaJson {
  comment: string;
  topNode: string;
  yFragment: string;
  nodes: NodeJson[];
  marks: MarkJson[];
  /** A document with every node and mark (ProseMirror JSON) and the editor's getHTML() of it. */
  example?: { json: unknown; html: string };
}

type AttributeSpecs = { [name: string]: { default?: unknown } } | undefined;

function attributes(specs: AttributeSpecs): AttributeJson[] {
  return Object.entries(specs ?? {}).map(([name, spec]) =>
    spec && "default" in spec ? { name, default: spec.default ?? null } : { name },
  );
}

const describeNode = (type: NodeType): NodeJson => ({
  name: type.name,
  content: type.spec.content ?? "",
  group: type.spec.group ?? null,
  inline: type.isInline,
  atom: type.isAtom,
  leaf: type.isLeaf,
  marks: type.spec.marks ?? null,
  defining: Boolean(type.spec.defining ?? type.spec.definingAsContext ?? false),
  isolating: Boolean(type.spec.isolating),
  code: Boolean(type.spec.code),
  attrs: attributes(type.spec.attrs as AttributeSpecs),
});

const describeMark = (type: MarkType): MarkJson => ({
  name: type.name,
  inclusive: type.spec.inclusive ?? true,
  excludes: type.spec.excludes ?? null,
  spanning: type.spec.spanning ?? true,
  code: Boolean(type.spec.code),
  attrs: attributes(type.spec.attrs as AttributeSpecs),
});

/** The JSON the server reads, from the schema the editor builds. */
export function schemaJson(schema: Schema): SchemaJson {
  return {
    comment: "Generated from frontend/src/docs/schema.ts by `npm run docs-schema` (in frontend/): do not edit.",
    topNode: schema.topNodeType.name,
    yFragment: "default",
    nodes: Object.values(schema.nodes).map(describeNode),
    marks: Object.values(schema.marks).map(describeMark),
  };
}

