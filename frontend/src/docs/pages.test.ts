// Finding documents for "Link to a page" and "Move": which lists are asked, merged once each.
import { describe, expect, it } from "vitest";
import type { DocumentData, DocumentList } from "./api";
import { listDocuments } from "./api";
import { findPages } from "./pages";

const doc = (id: string, title = id, create_child = true): DocumentData =>
  ({ id, title, parent: null, deleted_at: null, created_at: "", updated_at: "", abilities: { create_child } }) as DocumentData;

describe("findPages", () => {
  it("asks the idle lists when nothing is typed, the searched ones otherwise, each document once", async () => {
    const asked: string[] = [];
    const lists: Record<string, DocumentData[]> = { recent: [doc("a"), doc("b")], mine: [doc("b"), doc("c")], shared: [doc("d", "D", false)] };
    const list = async (view: DocumentList, search = "") => {
      asked.push(`${view}:${search}`);
      return lists[view] ?? [];
    };
    expect((await findPages("", { idle: ["recent"], searched: ["mine", "shared"], list })).map((d) => d.id)).toEqual(["a", "b"]);
    const found = await findPages(" bud ", { idle: ["recent"], searched: ["mine", "recent", "shared"], list, exclude: ["a"], keep: (d) => !!d.abilities.create_child });
    expect(found.map((d) => d.id)).toEqual(["b", "c"]);
    expect(asked).toEqual(["recent:", "mine:bud", "recent:bud", "shared:bud"]);
  });

  it("leaves out a list the server refuses", async () => {
    const list = async (view: DocumentList) => {
      if (view === "shared") throw new Error("403");
      return [doc("a")];
    };
    expect((await findPages("x", { idle: [], searched: ["mine", "shared"], list })).map((d) => d.id)).toEqual(["a"]);
  });

  it("calls the documents list with the view and the search", async () => {
    const urls: string[] = [];
    const call = async <T>(url: string) => {
      urls.push(url);
      return [] as T;
    };
    await listDocuments("recent", "", call);
    await listDocuments("mine", "budget 2027", call);
    expect(urls).toEqual(["/api/v1/docs/documents/?view=recent", "/api/v1/docs/documents/?view=mine&search=budget+2027"]);
  });
});
