// Where "seen by" lines go: under the last message each person has read.
import { describe, expect, it } from "vitest";
import { placeMarks } from "./receipts";

describe("seen by", () => {
  it("puts each name under the last shown message at or before their marker", () => {
    const shown = [
      { seq: 3, author: "alice" },
      { seq: 5, author: "bob" },
      { seq: 9, author: "alice" },
    ];
    const marks = [
      { user: "chloe", name: "Chloé", external: false, seq: 9 },
      { user: "david", name: "David", external: true, seq: 6 },
      { user: "bob", name: "Bob", external: false, seq: 5 }, // his own message: not listed
      { user: "emma", name: "Emma", external: false, seq: 2 }, // before what is shown
    ];
    expect([...placeMarks(marks, shown)]).toEqual([
      [9, ["Chloé"]],
      [5, ["David"]],
    ]);
  });
});
