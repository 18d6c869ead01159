// Messages leave in the order they were written, even when the first one is slow to send.
import { describe, expect, it, vi } from "vitest";

const posted: string[] = [];
vi.mock("./api", async (original) => ({
  ...(await original<typeof import("./api")>()),
  json: async (_path: string, _method: string, data: { body: string }) => {
    // The first message's request is the slowest: sent at once, it would be stored last.
    await new Promise((resolve) => setTimeout(resolve, data.body === "un" ? 50 : 1));
    posted.push(data.body);
    return {};
  },
}));
vi.mock("./timeline", () => ({ rerender: () => undefined }));

describe("sending", () => {
  it("keeps the order of writing when requests take different times", async () => {
    const { state } = await import("./context");
    const { send } = await import("./composer");
    state.current = { id: "r1" } as typeof state.current;
    await Promise.all([send("un", [], null), send("deux", [], null), send("trois", [], "m1")]);
    expect(posted).toEqual(["un", "deux", "trois"]);
  });
});
