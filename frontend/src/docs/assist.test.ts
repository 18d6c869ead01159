// Writing help on the editor page: the proposal streams in, is applied only on accept as one
// change (one Yjs update the co-editors receive), never over a passage changed meanwhile; the
// panel says what needs configuring when there is no model.
import { afterEach, describe, expect, it, vi } from "vitest";
import { showSummary } from "../assist/summary";
import { type AssistElements, applyProposal, bindAssist, readStream, selectedPassage } from "./assist";
import { testEditor } from "./test-editor";
import { readStrings } from "./strings";

function editor(text: string) {
  const { editor: made, doc } = testEditor();
  made.commands.setContent(`<p>${text}</p>`);
  return { made, doc };
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

const streamOf = (...pieces: string[]): Response => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/plain" } });
};

describe("a proposal", () => {
  it("is read piece by piece as it streams", async () => {
    const seen: string[] = [];
    const whole = await readStream(streamOf("Le budget ", "est revu ", "en mars."), (sofar) => seen.push(sofar));
    expect(whole).toBe("Le budget est revu en mars.");
    expect(seen.slice(0, 3)).toEqual(["Le budget ", "Le budget est revu ", "Le budget est revu en mars."]);
  });

  it("replaces the passage in one change, and never one changed meanwhile", () => {
    const { made, doc } = editor("Le budjet de la piscinne est revu.");
    made.commands.setTextSelection({ from: 1, to: 27 });
    const passage = selectedPassage(made)!;
    expect(passage.text).toBe("Le budjet de la piscinne e");
    let updates = 0;
    doc.on("update", () => (updates += 1));
    expect(applyProposal(made, { ...passage, text: "autre chose" }, "x")).toBe(false); // changed
    expect(updates).toBe(0);
    made.commands.setTextSelection({ from: 1, to: 25 });
    const exact = selectedPassage(made)!;
    expect(applyProposal(made, exact, "Le budget de la piscine")).toBe(true);
    expect(made.getText()).toBe("Le budget de la piscine est revu.");
    expect(updates).toBe(1); // one change for the co-editors
  });

  it("is text, never read as HTML", () => {
    const { made } = editor("Comparer a et b.");
    made.commands.selectAll();
    applyProposal(made, selectedPassage(made)!, 'Si a < b, voir <a href="/x">@Léa</a> &amp; <img src=x>');
    expect(made.getText()).toBe('Si a < b, voir <a href="/x">@Léa</a> &amp; <img src=x>');
    expect(JSON.stringify(made.getJSON())).not.toContain('"image"');
  });

  it("of several paragraphs becomes several paragraphs", () => {
    const { made } = editor("Un long paragraphe à développer.");
    made.commands.selectAll();
    applyProposal(made, selectedPassage(made)!, "Premier.\n\nSecond.");
    expect(made.getJSON().content?.map((node) => node.type)).toEqual(["paragraph", "paragraph"]);
    expect(made.getText({ blockSeparator: "|" })).toBe("Premier.|Second.");
  });
});

function panel(): AssistElements {
  const panel = document.createElement("aside");
  panel.dataset.doc = "d1";
  panel.innerHTML = `
    <p data-assist-status hidden></p>
    <div data-assist-actions><button data-assist-action="correct">Correct</button></div>
    <div data-assist-proposal hidden><div data-assist-proposal-text></div>
      <button data-assist-accept>Accept</button><button data-assist-discard>Discard</button></div>
    <button data-assist-summarise>Summarise</button>
    <div data-assist-summary hidden></div>
    <div data-assist-error hidden><p></p></div>
    <div data-doc-strings data-assist-no-model="Needs ASSIST_LLM_URL" data-assist-select="Select a passage first"
      data-assist-extract="Extract of {parts}" data-assist-where="(paragraph {part})"
      data-assist-cut="The answer was cut off"></div>`;
  document.body.append(panel);
  const $ = (selector: string) => panel.querySelector<HTMLElement>(selector)!;
  return {
    panel,
    status: $("[data-assist-status]"),
    actions: $("[data-assist-actions]"),
    proposal: $("[data-assist-proposal]"),
    summary: $("[data-assist-summary]"),
    error: $("[data-assist-error]"),
  };
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("the writing-help panel", () => {
  it("says what needs configuring, and offers no action, without a model", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json({ model: false, summaries: true, writing: true, transcription: true })));
    const elements = panel();
    const { made } = editor("Texte.");
    bindAssist(made, elements, readStrings(elements.panel), true)();
    await vi.waitFor(() => expect(elements.status.hidden).toBe(false));
    expect(elements.status.textContent).toContain("ASSIST_LLM_URL");
    expect(elements.actions.hidden).toBe(true);
  });

  it("streams the proposal beside the text and applies it on accept only", async () => {
    const calls: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push({ url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
        if (url.endsWith("rewrite/")) return streamOf("Le budget ", "de la piscine");
        return json({ model: true, summaries: true, writing: true, transcription: true });
      }),
    );
    const elements = panel();
    const { made } = editor("Le budjet de la piscinne est revu.");
    bindAssist(made, elements, readStrings(elements.panel), true)();
    await vi.waitFor(() => expect(elements.actions.hidden).toBe(false));
    elements.panel.querySelector<HTMLButtonElement>("[data-assist-action]")!.click();
    expect(elements.error.hidden).toBe(false); // nothing selected yet
    expect(elements.error.textContent).toContain("Select a passage first");
    made.commands.setTextSelection({ from: 1, to: 25 });
    elements.panel.querySelector<HTMLButtonElement>("[data-assist-action]")!.click();
    const accept = elements.panel.querySelector<HTMLButtonElement>("[data-assist-accept]")!;
    await vi.waitFor(() => expect(accept.disabled).toBe(false));
    expect(calls.at(-1)).toEqual({ url: "/api/v1/assist/rewrite/", body: { action: "correct", text: "Le budjet de la piscinne" } });
    expect(elements.proposal.textContent).toContain("Le budget de la piscine");
    expect(made.getText()).toBe("Le budjet de la piscinne est revu."); // not yet
    accept.click();
    expect(made.getText()).toBe("Le budget de la piscine est revu.");
    expect(elements.proposal.hidden).toBe(true);
  });

  it("offers nothing to apply when the answer was cut off", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url.endsWith("rewrite/") ? streamOf("Le budget ", "\n[…]") : json({ model: true, summaries: true, writing: true, transcription: true }),
      ),
    );
    const elements = panel();
    const { made } = editor("Le budjet de la piscinne est revu.");
    bindAssist(made, elements, readStrings(elements.panel), true)();
    await vi.waitFor(() => expect(elements.actions.hidden).toBe(false));
    made.commands.setTextSelection({ from: 1, to: 25 });
    elements.panel.querySelector<HTMLButtonElement>("[data-assist-action]")!.click();
    await vi.waitFor(() => expect(elements.error.hidden).toBe(false));
    expect(elements.error.textContent).toContain("cut off");
    expect(elements.panel.querySelector<HTMLButtonElement>("[data-assist-accept]")!.disabled).toBe(true);
  });
});

describe("a summary", () => {
  it("shows the extract's sentences with where they are", () => {
    const place = document.createElement("div");
    const labels = { byModel: "By the model", extract: "Extract of {parts}", where: "(paragraph {part})", nothing: "Nothing" };
    showSummary(place, { text: "A. B.", by_model: false, parts: 4, kept: [{ index: 0, part: 0, text: "A." }, { index: 3, part: 2, text: "B." }] }, labels);
    expect(place.querySelector("p")!.textContent).toBe("Extract of 4");
    expect([...place.querySelectorAll("li")].map((item) => item.textContent)).toEqual(["A. (paragraph 1)", "B. (paragraph 3)"]);
    showSummary(place, { text: "Décisions : revoir le budget.\nActions : Léa.", by_model: true, parts: 4, kept: [] }, labels);
    expect([...place.querySelectorAll("p")].map((line) => line.textContent)).toEqual(["By the model", "Décisions : revoir le budget.", "Actions : Léa."]);
    showSummary(place, { text: "", by_model: false, parts: 0, kept: [] }, labels);
    expect(place.textContent).toBe("Nothing");
  });
});
