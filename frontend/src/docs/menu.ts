// A button that shows and hides a small menu below it (aria-expanded), closed by Escape, by a
// click elsewhere, or when focus leaves it.
export function disclosure(toggle: HTMLButtonElement, menu: HTMLElement): () => void {
  const close = (): void => {
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  };
  toggle.addEventListener("click", () => {
    const opening = menu.hidden;
    menu.hidden = !opening;
    toggle.setAttribute("aria-expanded", String(opening));
    if (opening) menu.querySelector<HTMLElement>("button, a, input")?.focus();
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!menu.hidden && !menu.contains(event.target as Node) && !toggle.contains(event.target as Node)) close();
  });
  return close;
}
