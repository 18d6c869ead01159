// Finding other documents of the suite, for "Link to a page" and "Move": the Docs home's lists
// (GET /api/v1/docs/documents/?view=…), merged, each document once. What is typed is looked for
// in the titles of those lists (the start of a word is enough, accents aside) and searched on the
// server (&search=…: whole words, in titles and text).
import { type DocumentData, type DocumentList, listDocuments } from "./api";

export interface FindOptions {
  /** The lists shown when nothing is typed, whose titles are matched when something is. */
  idle: DocumentList[];
  /** The lists searched on the server when something is typed. */
  searched: DocumentList[];
  /** Documents left out (the one open, for instance). */
  exclude?: string[];
  /** Keeps only the documents that pass (what the person may do with them). */
  keep?: (document: DocumentData) => boolean;
  list?: typeof listDocuments;
  /** The idle lists, read once while a picker is open (keystrokes do not ask for them again). */
  cache?: Map<DocumentList, Promise<DocumentData[]>>;
  /** How many at most. */
  limit?: number;
}

/** ``text`` for matching: lower case, without accents. */
export const folded = (text: string): string =>
  text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();

/** The documents of the lists, titles that match first, then the server's search, each once; a
 * list the server refuses is left out rather than failing the whole search. */
export async function findPages(query: string, options: FindOptions): Promise<DocumentData[]> {
  const list = options.list ?? listDocuments;
  const q = query.trim();
  const whole = (view: DocumentList): Promise<DocumentData[]> => {
    if (!options.cache) return list(view, "");
    let answer = options.cache.get(view);
    if (!answer) options.cache.set(view, (answer = list(view, "")));
    return answer;
  };
  const idle = options.idle.map(whole);
  const searched = q ? options.searched.map((view) => list(view, q)) : [];
  const answers = await Promise.allSettled([...idle, ...searched]);
  const wanted = folded(q);
  const seen = new Set(options.exclude ?? []);
  const found: DocumentData[] = [];
  answers.forEach((answer, index) => {
    if (answer.status !== "fulfilled") return;
    for (const document of answer.value) {
      if (seen.has(document.id) || document.deleted_at || !(options.keep?.(document) ?? true)) continue;
      if (q && index < idle.length && !folded(document.title ?? "").includes(wanted)) continue;
      seen.add(document.id);
      found.push(document);
    }
  });
  return found.slice(0, options.limit ?? 20);
}
