// The editor page's side panels (comments, versions, share): one open at a time, on the right of
// the text, as on the chat page. A module says what to do when its panel opens.
const openers = new Map<string, () => void>();
let shown = "";
let root: HTMLElement | null = null;

export function onPanel(name: string, open: () => void): void {
  openers.set(name, open);
}

export function openPanel(name: string): void {
  if (!root) return;
  for (const panel of root.querySelectorAll<HTMLElement>("[data-panel]")) panel.hidden = panel.dataset.panel !== name;
  for (const toggle of root.querySelectorAll<HTMLElement>("[data-open-panel]")) {
    toggle.setAttribute("aria-expanded", String(toggle.dataset.openPanel === name));
  }
  root.classList.add("ens-doc--panel-open");
  shown = name;
  openers.get(name)?.();
  root.querySelector<HTMLElement>(`[data-panel="${name}"] h2`)?.focus();
}

export function closePanel(): void {
  if (!root || !shown) return;
  const name = shown;
  shown = "";
  for (const panel of root.querySelectorAll<HTMLElement>("[data-panel]")) panel.hidden = true;
  for (const toggle of root.querySelectorAll<HTMLElement>("[data-open-panel]")) toggle.setAttribute("aria-expanded", "false");
  root.classList.remove("ens-doc--panel-open");
  root.querySelector<HTMLElement>(`[data-open-panel="${name}"]`)?.focus();
}

export const panelShown = (): string => shown;

/** [data-open-panel="name"] buttons open (or close) that panel; [data-close-panel] and Escape
 * close it. */
export function wirePanels(page: HTMLElement): void {
  root = page;
  for (const toggle of page.querySelectorAll<HTMLButtonElement>("[data-open-panel]")) {
    toggle.addEventListener("click", () => (shown === toggle.dataset.openPanel ? closePanel() : openPanel(toggle.dataset.openPanel ?? "")));
  }
  for (const close of page.querySelectorAll<HTMLButtonElement>("[data-close-panel]")) close.addEventListener("click", closePanel);
  // Escape closes the open panel, unless something inside it (a list, a form) used the key.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !shown) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest("[data-doc-editor], [data-toolbar], [data-link-form], [data-export], [data-move-dialog], [data-page-link-box]")) return;
    closePanel();
  });
}
