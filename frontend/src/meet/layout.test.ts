import { describe, expect, it } from "vitest";
import { grid, layout, ordered, type TileInfo } from "./layout";

const person = (n: number, mine = false): TileInfo => ({ key: `p:${n}`, mine, screen: false, feed: 100 + n });
const screen = (n: number): TileInfo => ({ key: `s:${n}`, mine: false, screen: true, feed: 200 + n });
const keys = (tiles: TileInfo[]): string[] => tiles.map((tile) => tile.key);
const options = { mode: "grid" as const, page: 0, pageSize: 9, speaker: null };

describe("one's own tile", () => {
  it("is on the first page when one joined last of ten", () => {
    const people = [...Array.from({ length: 9 }, (_, n) => person(n)), person(9, true)];
    const first = layout(people, options);
    expect(first.pages).toBe(2);
    expect(keys(first.shown)).toContain("p:9");
    expect(keys(first.shown)[0]).toBe("p:9");
    const second = layout(people, { ...options, page: 1 });
    expect(keys(second.shown)).toEqual(["p:8"]);
  });

  it("comes after the shared screens, but never off the first page", () => {
    expect(keys(ordered([person(1), screen(1), person(2, true)], 9))).toEqual(["s:1", "p:2", "p:1"]);
    const screens = Array.from({ length: 10 }, (_, n) => screen(n));
    const first = layout([person(1, true), ...screens], { ...options, pageSize: 4 });
    expect(keys(first.shown)).toEqual(["s:0", "s:1", "s:2", "p:1"]);
  });

  it("is in the speaker strip's first page", () => {
    const people = [...Array.from({ length: 12 }, (_, n) => person(n)), person(12, true)];
    const arranged = layout(people, { ...options, mode: "speaker", speaker: 105, pageSize: 6 });
    expect(keys(arranged.shown).slice(0, 2)).toEqual(["p:5", "p:12"]);
  });
});

describe("the grid", () => {
  it("keeps a full page's grid on a last page holding one person", () => {
    const people = Array.from({ length: 10 }, (_, n) => person(n));
    const last = layout(people, { ...options, page: 1 });
    expect(last.shown).toHaveLength(1);
    expect(last.alone).toBe(true);
    expect([last.columns, last.rows]).toEqual([3, 3]);
  });

  it("marks one person alone, and sizes small meetings to their count", () => {
    expect(layout([person(1, true)], options)).toMatchObject({ alone: true, columns: 1, rows: 1, pages: 1 });
    expect(layout([person(1), person(2)], options)).toMatchObject({ alone: false, columns: 2, rows: 1 });
    expect(grid(6)).toEqual({ columns: 3, rows: 2 });
  });

  it("keeps the page asked for within the pages there are", () => {
    expect(layout([person(1), person(2)], { ...options, page: 5 }).page).toBe(0);
  });
});

describe("the speaker layout", () => {
  it("shows a shared screen large, else the speaker, never oneself while others are there", () => {
    const people = [person(1, true), person(2), person(3)];
    expect(layout([...people, screen(1)], { ...options, mode: "speaker", speaker: 103 }).shown[0].key).toBe("s:1");
    expect(layout(people, { ...options, mode: "speaker", speaker: 103 }).shown[0].key).toBe("p:3");
    expect(layout(people, { ...options, mode: "speaker", speaker: 101 }).shown[0].key).toBe("p:2");
  });
});
