// Writing help and the summary on the editor page (docs/subsystems/assist.md): a passage is
// selected, an action chosen, the model's proposal streams in beside the text and is applied
// only on "Accept" (one change, which the co-editors see); "Summarise the document" shows the
// model's summary, or the extract (the sentences kept) when no model is configured.
import type { Editor } from "@tiptap/core";
import { ApiError, apiCall, apiJson } from "../api";
import { showSummary, type Summary } from "../assist/summary";
import type { components } from "../generated/api";
import type { DocStrings } from "./strings";

type Schemas = components["schemas"];
export type AssistStatus = Schemas["Status"];

export const ASSIST = "/api/v1/assist/";
/** How the server ends an answer that did not finish (assist/llm.py): nothing to apply. */
export const CUT = "\n[…]";

/** Read a streamed plain-text answer, handing each piece on as it comes; the whole text. */
export async function readStream(response: Response, onPiece: (text: string) => void): Promise<string> {
  if (!response.body) {
    const text = await response.text();
    onPiece(text);
    return text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let whole = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const piece = decoder.decode(value, { stream: true });
    whole += piece;
    onPiece(whole);
  }
  whole += decoder.decode();
  onPiece(whole);
  return whole;
}

/** The passage a proposal is for: where it was, and its text then (the proposal is applied
 * only if it is still there, unchanged). */
export interface Passage {
  from: number;
  to: number;
  text: string;
}

export function selectedPassage(editor: Editor): Passage | null {
  const { from, to, empty } = editor.state.selection;
  if (empty) return null;
  const text = editor.state.doc.textBetween(from, to, "\n\n", " ");
  return text.trim() ? { from, to, text } : null;
}

/** Put ``proposal`` in place of ``passage`` as one change; false if the passage changed
 * meanwhile (someone edited it: the person selects it again). */
export function applyProposal(editor: Editor, passage: Passage, proposal: string): boolean {
  const size = editor.state.doc.content.size;
  if (passage.to > size) return false;
  if (editor.state.doc.textBetween(passage.from, passage.to, "\n\n", " ") !== passage.text) return false;
  const paragraphs = proposal.trim().split(/\n{2,}/).map((text) => text.trim()).filter(Boolean);
  // Always nodes, never a string: TipTap would read a string as HTML (a model's "a < b"
  // mangled, or links and mentions it was talked into writing).
  const content =
    paragraphs.length <= 1
      ? paragraphs.length
        ? [{ type: "text", text: paragraphs[0] }]
        : []
      : paragraphs.map((text) => ({ type: "paragraph", content: [{ type: "text", text }] }));
  return editor.chain().focus().insertContentAt({ from: passage.from, to: passage.to }, content).run();
}

export interface AssistElements {
  panel: HTMLElement;
  status: HTMLElement; // what is on, or what to configure
  actions: HTMLElement; // [data-assist-action] buttons
  proposal: HTMLElement; // [data-assist-proposal]: the text, and accept / discard
  summary: HTMLElement; // [data-assist-summary]
  error: HTMLElement;
}

/** Wire the panel: its buttons call the API, the proposal is applied on accept. */
export function bindAssist(editor: Editor, elements: AssistElements, strings: DocStrings, canEdit: boolean): () => void {
  const $ = <T extends Element>(selector: string): T | null => elements.panel.querySelector<T>(selector);
  const text = $<HTMLElement>("[data-assist-proposal-text]")!;
  const accept = $<HTMLButtonElement>("[data-assist-accept]")!;
  const discard = $<HTMLButtonElement>("[data-assist-discard]")!;
  let passage: Passage | null = null;
  let proposal = "";
  let status: AssistStatus | null = null;

  const fail = (failure: unknown): void => {
    elements.error.querySelector("p")!.textContent = failure instanceof ApiError ? failure.message : strings.error;
    elements.error.hidden = false;
  };
  const busy = (on: boolean): void => {
    for (const button of elements.panel.querySelectorAll<HTMLButtonElement>("button[data-assist-action], [data-assist-summarise]")) {
      button.disabled = on;
    }
  };

  const refresh = async (): Promise<void> => {
    try {
      status = await apiJson<AssistStatus>(ASSIST);
    } catch (failure) {
      fail(failure);
      return;
    }
    const writing = status.writing && status.model && canEdit;
    elements.actions.hidden = !writing;
    const notes: string[] = [];
    if (!status.writing || !status.summaries) notes.push(strings.assistOff);
    if (!status.model) notes.push(strings.assistNoModel);
    elements.status.textContent = notes.join(" ");
    elements.status.hidden = notes.length === 0;
    const summarise = $<HTMLButtonElement>("[data-assist-summarise]");
    if (summarise) summarise.hidden = !status.summaries;
  };

  for (const button of elements.panel.querySelectorAll<HTMLButtonElement>("button[data-assist-action]")) {
    button.addEventListener("click", () => {
      elements.error.hidden = true;
      passage = selectedPassage(editor);
      if (!passage) {
        fail(new ApiError(400, strings.assistSelect));
        return;
      }
      proposal = "";
      text.textContent = "";
      elements.proposal.hidden = false;
      accept.disabled = true;
      busy(true);
      apiCall(`${ASSIST}rewrite/`, "POST", { action: button.dataset.assistAction, text: passage.text })
        .then((response) => readStream(response, (sofar) => (text.textContent = sofar)))
        .then((whole) => {
          proposal = whole;
          const cut = whole.endsWith(CUT);
          accept.disabled = cut || !whole.trim();
          if (cut) fail(new ApiError(502, strings.assistCut));
        })
        .catch((failure: unknown) => {
          elements.proposal.hidden = true;
          fail(failure);
        })
        .finally(() => busy(false));
    });
  }

  accept.addEventListener("click", () => {
    if (!passage) return;
    if (!applyProposal(editor, passage, proposal)) {
      fail(new ApiError(409, strings.assistPassageChanged));
      return;
    }
    elements.proposal.hidden = true;
    passage = null;
  });
  discard.addEventListener("click", () => {
    elements.proposal.hidden = true;
    passage = null;
  });

  $<HTMLButtonElement>("[data-assist-summarise]")?.addEventListener("click", () => {
    elements.error.hidden = true;
    busy(true);
    elements.summary.hidden = false;
    elements.summary.textContent = strings.assistWorking;
    apiJson<Summary>(`${ASSIST}summaries/`, "POST", { document: elements.panel.dataset.doc })
      .then((summary) =>
        showSummary(elements.summary, summary, {
          byModel: strings.assistByModel,
          extract: strings.assistExtract,
          where: strings.assistWhere,
          nothing: strings.assistNothing,
        }),
      )
      .catch((failure: unknown) => {
        elements.summary.hidden = true;
        fail(failure);
      })
      .finally(() => busy(false));
  });

  return () => void refresh();
}
