// While breakout rooms are open, the host's panel shows each person with the room they are in
// (the main room for someone who came in late) and places them where the host chooses.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Person } from "./api";
import { Breakout, type BreakoutState } from "./breakout";

const person = (id: string, name: string, role: Person["role"] = "participant"): Person => ({
  id, display_name: name, role, state: "admitted", feed: null, screen_feed: null,
  hand_raised_at: null, guest: false, microphone: false, camera: false,
});

const OPEN: BreakoutState = {
  open: true,
  ends_at: null,
  rooms: [
    { id: "r1", name: "Budget", janus_room: 11, participants: ["paul"] },
    { id: "r2", name: "Room 2", janus_room: 12, participants: [] },
  ],
};

function hostPage(): { breakout: Breakout; notices: string[] } {
  document.body.innerHTML =
    '<script type="application/json" id="breakout-strings">' +
    JSON.stringify({ mainRoom: "Main room", whoWhere: "Who is where", placed: "{name} is now in {room}.", placedMain: "{name} is back in the main room." }) +
    '</script><div id="root"><div data-moderation></div></div>';
  const notices: string[] = [];
  const people = [person("bea", "Béatrice", "host"), person("paul", "Paul"), person("lina", "Lina")];
  const breakout = new Breakout("abc-defg-hij", document.getElementById("root")!, {
    myId: () => "bea",
    moderates: () => true,
    people: () => people,
    move: async () => undefined,
    notice: (text) => notices.push(text),
    failure: (error) => String(error),
  });
  return { breakout, notices };
}

const select = (id: string): HTMLSelectElement =>
  document.querySelector<HTMLSelectElement>(`[data-breakout-place="${id}"]`)!;

// happy-dom has no Option constructor: the same element made by hand.
function option(text = "", value = ""): HTMLOptionElement {
  return Object.assign(document.createElement("option"), { text, value });
}

beforeEach(() => vi.stubGlobal("Option", option));
afterEach(() => vi.unstubAllGlobals());

describe("placing people while the rooms are open", () => {
  it("shows everyone but oneself in their room, a late arrival in the main room", () => {
    const { breakout } = hostPage();
    breakout.onEvent("meet.breakout.changed", OPEN as unknown as Record<string, unknown>);
    expect(select("bea")).toBeNull();
    expect(select("paul").value).toBe("r1");
    expect(select("lina").value).toBe("");
    expect([...select("lina").options].map((option) => option.text)).toEqual(["Main room", "Budget", "Room 2"]);
  });

  it("asks the server to place the person chosen, and shows where they are now", async () => {
    const { breakout, notices } = hostPage();
    breakout.onEvent("meet.breakout.changed", OPEN as unknown as Record<string, unknown>);
    const after: BreakoutState = { ...OPEN, rooms: [OPEN.rooms[0], { ...OPEN.rooms[1], participants: ["lina"] }] };
    const fetch = vi.fn(async () => new Response(JSON.stringify(after), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    select("lina").value = "r2";
    select("lina").dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(notices).toEqual(["Lina is now in Room 2."]));
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/meet/meetings/abc-defg-hij/breakout/place/");
    expect(JSON.parse(String(init.body))).toEqual({ participant: "lina", room: "r2" });
    await vi.waitFor(() => expect(select("lina").value).toBe("r2"));
  });

  it("puts the choice back when the server refuses", async () => {
    const { breakout, notices } = hostPage();
    breakout.onEvent("meet.breakout.changed", OPEN as unknown as Record<string, unknown>);
    const refusal = { detail: "No breakout rooms are open." };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(refusal), { status: 409 })));
    select("paul").value = "";
    select("paul").dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(notices).toHaveLength(1));
    expect(notices[0]).toContain("No breakout rooms are open.");
    expect(select("paul").value).toBe("r1");
  });
});
