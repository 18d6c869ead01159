// What the editor page's script writes, in the reader's language: the template renders each
// string (Django's gettext) as a data attribute of [data-doc-strings].
export interface DocStrings {
  connecting: string;
  saved: string;
  syncing: string;
  offline: string;
  readOnly: string;
  refused: string;
  editor: string;
  placeholder: string;
  uploadFailed: string;
  nobody: string;
  error: string;
}

/** The page's strings; a missing one reads as its key, so that a gap shows instead of failing. */
export function readStrings(root: ParentNode = document): DocStrings {
  const data = root.querySelector<HTMLElement>("[data-doc-strings]")?.dataset ?? {};
  return new Proxy(data, { get: (target, key: string) => target[key] ?? key }) as unknown as DocStrings;
}

/** ``text`` with each {name} replaced by ``values[name]``. */
export const fill = (text: string, values: Record<string, string>): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
