// A summary as the pages show it (Docs, chat): the language model's text, or the extract —
// each sentence kept, with the paragraph or message it comes from (docs/subsystems/assist.md).
import type { components } from "../generated/api";

export type Summary = components["schemas"]["Summary"];

export interface SummaryLabels {
  /** Before a text the model wrote. */
  byModel: string;
  /** Before an extract; {parts} is the number of paragraphs or messages summarised. */
  extract: string;
  /** After each sentence kept; {part} is its paragraph's or message's number, from 1. */
  where: string;
  nothing: string;
}

const fill = (text: string, values: Record<string, string>): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

export function showSummary(place: HTMLElement, summary: Summary, labels: SummaryLabels): void {
  place.replaceChildren();
  const label = document.createElement("p");
  label.className = "fr-text--sm fr-mb-1w";
  label.textContent = summary.by_model ? labels.byModel : fill(labels.extract, { parts: String(summary.parts) });
  place.append(label);
  if (summary.by_model) {
    for (const paragraph of summary.text.split(/\n+/).filter((line) => line.trim())) {
      const line = document.createElement("p");
      line.className = "fr-mb-1w";
      line.textContent = paragraph;
      place.append(line);
    }
    return;
  }
  if (!summary.kept.length) {
    label.textContent = labels.nothing;
    return;
  }
  const list = document.createElement("ol");
  list.className = "ens-summary";
  for (const sentence of summary.kept) {
    const item = document.createElement("li");
    item.textContent = sentence.text;
    const where = document.createElement("span");
    where.className = "fr-hint-text";
    where.textContent = fill(labels.where, { part: String(sentence.part + 1) });
    item.append(" ", where);
    list.append(item);
  }
  place.append(list);
}
