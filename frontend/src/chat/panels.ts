// The side panels (thread, members, settings, pins, search, new conversation, forums): one open
// at a time, on the right of the timeline. A module registers what to do when its panel opens.
import { $, root } from "./context";

const openers = new Map<string, () => void | Promise<void>>();
const closers = new Map<string, () => void>();
let shown = "";

export function onPanel(name: string, open: () => void | Promise<void>, close?: () => void): void {
  openers.set(name, open);
  if (close) closers.set(name, close);
}

export function openPanel(name: string): void {
  if (shown && shown !== name) closePanel();
  for (const panel of root?.querySelectorAll<HTMLElement>("[data-panel]") ?? []) panel.hidden = panel.dataset.panel !== name;
  for (const toggle of root?.querySelectorAll<HTMLElement>("[data-open-panel]") ?? []) {
    toggle.setAttribute("aria-expanded", String(toggle.dataset.openPanel === name));
  }
  root?.classList.add("ens-chat--panel-open");
  shown = name;
  void openers.get(name)?.();
}

export function closePanel(): void {
  const name = shown;
  shown = "";
  for (const panel of root?.querySelectorAll<HTMLElement>("[data-panel]") ?? []) panel.hidden = true;
  for (const toggle of root?.querySelectorAll<HTMLElement>("[data-open-panel]") ?? []) toggle.setAttribute("aria-expanded", "false");
  root?.classList.remove("ens-chat--panel-open");
  closers.get(name)?.();
}

export const panelShown = (): string => shown;

/** Buttons with data-open-panel="name" open (or close) that panel; [data-close-panel] closes. */
export function wirePanels(): void {
  for (const toggle of root?.querySelectorAll<HTMLButtonElement>("[data-open-panel]") ?? []) {
    toggle.onclick = () => (shown === toggle.dataset.openPanel ? closePanel() : openPanel(toggle.dataset.openPanel ?? ""));
  }
  for (const close of root?.querySelectorAll<HTMLButtonElement>("[data-close-panel]") ?? []) close.onclick = closePanel;
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shown && !$("[data-mention-list]:not([hidden])")) closePanel();
  });
}
