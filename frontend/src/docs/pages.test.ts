// Finding documents for "Link to a page" and "Move": which lists are asked, merged once each.
import { describe, expect, it } from "vitest";
import type { DocumentData, DocumentList } from "./api";
import { listDocuments } from "./api";
import { findPages, folded } from "./pages";

const doc = (id: string, title = id, create_child = true): DocumentData =>
  ({ id, title, parent: null, deleted_at: null, created_at: "", updated_at: "", abilities: { create_child } }) as DocumentData;

describe("findPages", () => {
  it("shows the idle lists when nothing is typed, each document once, in the lists' order", async () => {
    const lists: Record<string, DocumentData[]> = { recent: [doc("a"), doc("b")], mine: [doc("b"), doc("c")] };
    const list = async (view: DocumentList) => lists[view] ?? [];
    expect((await findPages("", { idle: ["recent", "mine"], searched: ["mine"], list })).map((d) => d.id)).toEqual(["a", "b", "c"]);
  });

  it("matches the start of the idle lists' titles, then adds the server's search", async () => {
    const asked: string[] = [];
    const lists: Record<string, DocumentData[]> = {
      "recent:": [doc("a", "Archives"), doc("b", "Budget")],
      "mine:": [doc("c", "Élections"), doc("d", "Comptes", false)],
      "mine:arch": [doc("e", "Rapport (archives)"), doc("a", "Archives")],
      "shared:arch": [doc("f", "Arch", false)],
    };
    const list = async (view: DocumentList, search = "") => {
      asked.push(`${view}:${search}`);
      return lists[`${view}:${search}`] ?? [];
    };
    const options = { idle: ["recent", "mine"] as DocumentList[], searched: ["mine", "shared"] as DocumentList[], list, exclude: ["x"],
      keep: (d: DocumentData) => !!d.abilities.create_child, cache: new Map() };
    expect((await findPages(" arch ", options)).map((d) => d.id)).toEqual(["a", "e"]);
    expect((await findPages("elec", options)).map((d) => d.id)).toEqual(["c"]);
    // The idle lists are read once while the picker is open.
    expect(asked).toEqual(["recent:", "mine:", "mine:arch", "shared:arch", "mine:elec", "shared:elec"]);
  });

  it("leaves out a list the server refuses", async () => {
    const list = async (view: DocumentList) => {
      if (view === "shared") throw new Error("403");
      return [doc("a")];
    };
    expect((await findPages("", { idle: ["mine", "shared"], searched: [], list })).map((d) => d.id)).toEqual(["a"]);
  });

  it("folds accents and case", () => {
    expect(folded("Élections Régionales")).toBe("elections regionales");
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
