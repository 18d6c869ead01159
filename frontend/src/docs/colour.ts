// Cursor colours: y-prosemirror and the collaboration caret draw only "#rrggbb" colours (any
// other is shown transparent), so a colour given in another CSS form (hsl(), #rgb) is turned
// into that one before it is drawn.

const hex = (value: number): string => Math.round(Math.min(255, Math.max(0, value))).toString(16).padStart(2, "0");

/** ``colour`` as "#rrggbb": from "#rrggbb", "#rgb" or "hsl(h, s%, l%)"; ``fallback`` otherwise. */
export function hexColour(colour: unknown, fallback = "#666666"): string {
  if (typeof colour !== "string") return fallback;
  const text = colour.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(text)) return text;
  if (/^#[0-9a-f]{3}$/.test(text)) return `#${[...text.slice(1)].map((digit) => digit + digit).join("")}`;
  const hsl = /^hsla?\(\s*(-?[\d.]+)(?:deg)?[\s,]+([\d.]+)%[\s,]+([\d.]+)%/.exec(text);
  if (!hsl) return fallback;
  const hue = ((Number(hsl[1]) % 360) + 360) % 360;
  const saturation = Math.min(1, Number(hsl[2]) / 100);
  const lightness = Math.min(1, Number(hsl[3]) / 100);
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const part = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const [r, g, b] =
    hue < 60 ? [chroma, part, 0] : hue < 120 ? [part, chroma, 0] : hue < 180 ? [0, chroma, part]
    : hue < 240 ? [0, part, chroma] : hue < 300 ? [part, 0, chroma] : [chroma, 0, part];
  const base = lightness - chroma / 2;
  return `#${hex((r + base) * 255)}${hex((g + base) * 255)}${hex((b + base) * 255)}`;
}

/** Another person's caret: a coloured bar with their name above it. */
export function caret(user: { name?: unknown; color?: unknown }): HTMLElement {
  const colour = hexColour(user.color);
  const bar = document.createElement("span");
  bar.className = "collaboration-carets__caret";
  bar.style.borderColor = colour; // CSSOM: allowed by the page's CSP, unlike a style attribute
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.style.backgroundColor = colour;
  label.textContent = typeof user.name === "string" ? user.name : "";
  bar.append(label);
  return bar;
}

/** Another person's selection, in their colour made light. */
export const selection = (user: { color?: unknown }): Record<string, string> => ({
  class: "ProseMirror-yjs-selection",
  style: `background-color: ${hexColour(user.color)}40`,
});
