// The room's summary panel: what was said in the messages one has not read (the last ones if
// none), by the language model if one is configured, else an extract naming the messages.
import { showSummary, type Summary } from "../assist/summary";
import { ApiError, apiJson } from "../api";
import { $, state, strings } from "./context";
import { onPanel } from "./panels";

async function load(): Promise<void> {
  const place = $<HTMLElement>("[data-summary-body]");
  if (!place || !state.current) return;
  place.textContent = strings.summaryWorking;
  try {
    const summary = await apiJson<Summary>("/api/v1/assist/summaries/", "POST", { room: state.current.id });
    showSummary(place, summary, {
      byModel: strings.summaryByModel,
      extract: strings.summaryExtract,
      where: strings.summaryWhere,
      nothing: strings.summaryNothing,
    });
  } catch (error) {
    place.textContent = error instanceof ApiError ? error.message : strings.error;
  }
}

export function wireSummary(): void {
  onPanel("summary", load);
}
