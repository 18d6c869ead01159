// The "Versions" panel: the document's versions (GET versions/), naming the current text as a
// version (POST versions/), one version read-only with what changed since (inserted and deleted
// text marked by <ins>/<del>, words and lines, not colour alone), and restoring it after a
// confirmation (POST versions/<id>/restore/): the restore reaches the open editors over the
// socket, as any change does.
import { type DocsApi, showFailure, type Version, type VersionDetail } from "./api";
import { type DocStrings, fill } from "./strings";

export interface VersionsOptions {
  api: DocsApi;
  panel: HTMLElement;
  strings: DocStrings;
  canEdit: boolean;
}

const when = (iso: string): string =>
  new Date(iso).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });

/** The version's name, or what made it ("Automatic", "Before a restore"). */
export function versionTitle(version: Version, strings: DocStrings): string {
  if (version.name) return version.name;
  return version.kind === "restore" ? strings.kindRestore : version.kind === "named" ? strings.kindNamed : strings.kindAuto;
}

/** The server's HTML of a version, without what could run or fetch (it renders the schema's
 * nodes only, but the page does not rely on that). */
export function safeFragment(html: string): DocumentFragment {
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const element of template.content.querySelectorAll("script, style, iframe, object, embed, form, link, meta")) element.remove();
  for (const element of template.content.querySelectorAll("*")) {
    for (const attribute of [...element.attributes]) {
      const value = attribute.value.trim().toLowerCase();
      if (attribute.name.startsWith("on") || ((attribute.name === "href" || attribute.name === "src") && value.startsWith("javascript:"))) {
        element.removeAttribute(attribute.name);
      }
    }
  }
  return template.content;
}

/** The comparison as text with <ins> and <del>, each saying what it is to screen readers. */
export function changesFragment(changes: VersionDetail["changes"], strings: DocStrings): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const change of changes) {
    if (change.op === "equal") {
      fragment.append(change.text);
      continue;
    }
    const mark = document.createElement(change.op === "insert" ? "ins" : "del");
    mark.className = `ens-doc__${change.op}`;
    const said = document.createElement("span");
    said.className = "fr-sr-only";
    said.textContent = change.op === "insert" ? strings.inserted : strings.deleted;
    const end = document.createElement("span");
    end.className = "fr-sr-only";
    end.textContent = strings.changeEnd;
    mark.append(said, change.text, end);
    fragment.append(mark);
  }
  return fragment;
}

export function bindVersions(options: VersionsOptions): { refresh: () => Promise<void> } {
  const { api, panel, strings, canEdit } = options;
  const $ = <T extends Element>(selector: string): T | null => panel.querySelector<T>(selector);
  const error = $<HTMLElement>("[data-versions-error]");
  const status = $<HTMLElement>("[data-versions-status]");
  const list = $<HTMLElement>("[data-version-list]");
  const view = $<HTMLElement>("[data-version-view]");
  const nameForm = $<HTMLFormElement>("[data-version-name]");
  const fail = (failure: unknown): void => showFailure(error, failure, strings.error);
  const tell = (text: string): void => {
    if (status) status.textContent = text;
  };

  const row = (version: Version): HTMLLIElement => {
    const item = document.createElement("li");
    item.className = "ens-doc__version";
    item.dataset.version = version.id;
    const open = document.createElement("button");
    open.type = "button";
    open.className = "fr-link ens-doc__version-open";
    open.dataset.versionOpen = "";
    open.textContent = versionTitle(version, strings);
    open.addEventListener("click", () => void show(version.id));
    const meta = document.createElement("p");
    meta.className = "fr-text--xs fr-mb-0";
    meta.textContent = version.author_name ? `${when(version.created_at)} · ${version.author_name}` : when(version.created_at);
    item.append(open, meta);
    return item;
  };

  async function refresh(): Promise<void> {
    if (error) error.hidden = true;
    if (view) view.hidden = true;
    if (list) list.hidden = false;
    if (nameForm) nameForm.hidden = false;
    try {
      const versions = await api.versions();
      list?.replaceChildren(...versions.map(row));
      if (list && !versions.length) {
        const none = document.createElement("li");
        none.className = "fr-text--sm";
        none.textContent = strings.noVersion;
        list.append(none);
      }
    } catch (failure) {
      fail(failure);
    }
  }

  async function show(id: string): Promise<void> {
    if (!view || !list) return;
    if (error) error.hidden = true;
    let version: VersionDetail;
    try {
      version = await api.version(id);
    } catch (failure) {
      fail(failure);
      return;
    }
    const title = view.querySelector<HTMLElement>("[data-version-title]");
    if (title) title.textContent = `${versionTitle(version, strings)} — ${when(version.created_at)}`;
    view.querySelector("[data-version-content]")?.replaceChildren(safeFragment(version.content));
    const changed = version.changes.some((change) => change.op !== "equal");
    const compare = view.querySelector<HTMLElement>("[data-version-changes]");
    if (compare) {
      compare.replaceChildren(changed ? changesFragment(version.changes, strings) : strings.noChange);
    }
    const restore = view.querySelector<HTMLButtonElement>("[data-version-restore]");
    const confirm = view.querySelector<HTMLElement>("[data-version-confirm]");
    if (restore) {
      restore.hidden = !canEdit;
      restore.onclick = () => {
        if (confirm) confirm.hidden = false;
        restore.setAttribute("aria-expanded", "true");
        confirm?.querySelector<HTMLButtonElement>("[data-version-confirm-yes]")?.focus();
      };
    }
    if (confirm) {
      confirm.hidden = true;
      const yes = confirm.querySelector<HTMLButtonElement>("[data-version-confirm-yes]");
      const no = confirm.querySelector<HTMLButtonElement>("[data-version-confirm-no]");
      if (no)
        no.onclick = () => {
          confirm.hidden = true;
          restore?.setAttribute("aria-expanded", "false");
          restore?.focus();
        };
      if (yes)
        yes.onclick = async () => {
          yes.disabled = true;
          try {
            await api.restoreVersion(version.id);
            confirm.hidden = true;
            await refresh();
            tell(fill(strings.restored, { name: versionTitle(version, strings) }));
          } catch (failure) {
            fail(failure);
          } finally {
            yes.disabled = false;
          }
        };
    }
    list.hidden = true;
    if (nameForm) nameForm.hidden = true;
    view.hidden = false;
    view.querySelector<HTMLElement>("[data-version-title]")?.focus();
  }

  $<HTMLButtonElement>("[data-version-back]")?.addEventListener("click", () => {
    if (view) view.hidden = true;
    if (list) list.hidden = false;
    if (nameForm) nameForm.hidden = false;
    list?.querySelector<HTMLElement>("button")?.focus();
  });

  const form = nameForm;
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.querySelector<HTMLInputElement>("input[name=name]");
    const name = input?.value.trim() ?? "";
    if (!name) return input?.focus();
    if (error) error.hidden = true;
    try {
      await api.nameVersion(name);
      if (input) input.value = "";
      await refresh();
      tell(fill(strings.versionSaved, { name }));
    } catch (failure) {
      fail(failure);
    }
  });
  return { refresh };
}
