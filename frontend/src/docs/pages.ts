// Finding other documents of the suite, for "Link to a page" and "Move": the Docs home's lists
// (GET /api/v1/docs/documents/?view=…, searched with &search=…), merged, each document once.
import { type DocumentData, type DocumentList, listDocuments } from "./api";

export interface FindOptions {
  /** The lists asked when nothing is typed. */
  idle: DocumentList[];
  /** The lists searched when something is typed. */
  searched: DocumentList[];
  /** Documents left out (the one open, for instance). */
  exclude?: string[];
  /** Keeps only the documents that pass (what the person may do with them). */
  keep?: (document: DocumentData) => boolean;
  list?: typeof listDocuments;
  /** How many at most. */
  limit?: number;
}

/** The documents of the lists, in the order of the lists, each once; a list the server refuses
 * is left out rather than failing the whole search. */
export async function findPages(query: string, options: FindOptions): Promise<DocumentData[]> {
  const list = options.list ?? listDocuments;
  const q = query.trim();
  const views = q ? options.searched : options.idle;
  const answers = await Promise.allSettled(views.map((view) => list(view, q)));
  const seen = new Set(options.exclude ?? []);
  const found: DocumentData[] = [];
  for (const answer of answers) {
    if (answer.status !== "fulfilled") continue;
    for (const document of answer.value) {
      if (seen.has(document.id) || document.deleted_at || !(options.keep?.(document) ?? true)) continue;
      seen.add(document.id);
      found.push(document);
    }
  }
  return found.slice(0, options.limit ?? 20);
}

