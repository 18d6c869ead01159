// Texts that could not be sent come back into the composer, in the order they were written,
// with the people they named: none is lost when several fail in a row (a network cut).
import { describe, expect, it, vi } from "vitest";

document.body.innerHTML = `<div data-chat data-user="me"><div data-main>
  <form data-composer><textarea data-composer-text></textarea></form>
  <input type="file" data-file-input><div data-preview hidden></div>
  <button data-preview-toggle></button><div data-composer-error hidden><p></p></div>
</div></div>`;

const posted: { body: string; mentions: string[] }[] = [];
vi.mock("./api", async (original) => {
  const api = await original<typeof import("./api")>();
  return {
    ...api,
    json: async (_path: string, _method: string, data: { body: string; mentions: string[] }) => {
      posted.push(data);
      throw new api.ApiError(503, "Try again");
    },
  };
});
vi.mock("./timeline", () => ({ rerender: () => undefined }));

describe("a failed send", () => {
  it("puts every failed text back, in order, with its mentions", async () => {
    const { state } = await import("./context");
    const { wireComposer } = await import("./composer");
    const { keepMentions, takeMentions } = await import("./mentions");
    state.current = { id: "r1" } as typeof state.current;
    wireComposer(() => false);
    const text = document.querySelector<HTMLTextAreaElement>("[data-composer-text]")!;
    const enter = () => text.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", cancelable: true }));
    keepMentions([["@Bruno Petit", "bruno"]]); // as if chosen from the @ list
    text.value = "@Bruno Petit un";
    enter();
    text.value = "deux";
    enter();
    await vi.waitFor(() => expect(posted).toHaveLength(2));
    await vi.waitFor(() => expect(text.value).toBe("@Bruno Petit un\ndeux"));
    expect(posted.map((data) => data.body)).toEqual(["@Bruno Petit un", "deux"]);
    expect(posted[0].mentions).toEqual(["bruno"]);
    expect(takeMentions(text.value)).toEqual([["@Bruno Petit", "bruno"]]); // named again
  });
});
