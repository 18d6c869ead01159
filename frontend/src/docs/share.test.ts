// The Share panel's calls: what it reads when it opens, and what each control sends.
import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { type Access, DocsApi, type Entry } from "./api";
import { bindShare } from "./share";
import { readStrings } from "./strings";

const PANEL = `
  <div data-share-error hidden><p></p></div>
  <template data-share-role-options><option value="reader">Reader</option><option value="commenter">Commenter</option>
    <option value="editor">Editor</option><option value="administrator">Administrator</option><option value="owner">Owner</option></template>
  <form data-share-add><input data-share-search><ul data-share-results hidden></ul>
    <select data-share-role><option value="reader">Reader</option><option value="editor" selected>Editor</option></select><button type="submit">Add</button></form>
  <form data-share-invite hidden><input type="email" data-share-invite-email>
    <select data-share-invite-role><option value="reader">Reader</option><option value="editor" selected>Editor</option></select><button type="submit">Invite</button></form>
  <p data-share-invited></p>
  <section data-share-requests hidden><ul data-share-request-list></ul></section>
  <ul data-share-accesses></ul>
  <select data-share-reach><option value="restricted">R</option><option value="authenticated">A</option><option value="public">P</option></select>
  <div class="fr-select-group"><select data-share-link-role><option value="reader">R</option><option value="editor">E</option></select></div>
  <div hidden data-doc-strings data-team="Team" data-error="Oops" data-accept="Accept" data-refuse="Refuse" data-asks-for="{name} asks to be {role}"
    data-inherited-from="Inherited from {title}" data-invited="Invitation sent to {email}" data-added-colleague="{email} has the role now"
    data-no-access="Nobody here" data-accesses-hidden="Shown to those given access"></div>`;

const ACCESSES: Access[] = [
  { id: "a1", user: "u1", user_name: "Ada Lovelace", team: null, team_name: null, role: "owner", inherited_from: null },
  { id: "a2", user: null, user_name: null, team: "t1", team_name: "Finances", role: "reader", inherited_from: null },
  { id: "a3", user: "u3", user_name: "Léa Martin", team: null, team_name: null, role: "editor", inherited_from: { id: "p1", title: "Projets" } },
];
let accesses: Access[];
let invitation: { invited?: string; added?: string };

let calls: [string, string, unknown][];
let refuse: string | null;

function fakeCall<T>(url: string, method = "GET", data?: unknown): Promise<T> {
  calls.push([method, url, data]);
  if (refuse && method !== "GET") return Promise.reject(new ApiError(403, refuse));
  const path = url.replace("/api/v1/docs/documents/d1/", "");
  if (path === "accesses/" && method === "GET") return Promise.resolve(accesses as T);
  if (path === "invitations/") return Promise.resolve(invitation as T);
  if (path === "access-requests/") return Promise.resolve([{ id: "r1", user: "u9", user_name: "Dan Roux", role: "editor", created_at: "" }] as T);
  if (path === "") return Promise.resolve({ id: "d1", link_reach: "authenticated", link_role: "reader" } as T);
  return Promise.resolve(null as T);
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function panel(canManage = true, search: (q: string) => Promise<Entry[]> = async () => []) {
  const element = document.createElement("aside");
  element.innerHTML = PANEL;
  document.body.append(element);
  const share = bindShare({ api: new DocsApi("d1", fakeCall), panel: element, strings: readStrings(element), canManage, search, link: "https://x/docs/d1/" });
  return { element, share };
}

beforeEach(() => {
  calls = [];
  refuse = null;
  accesses = ACCESSES;
  invitation = { invited: "zoe@example.org" };
  document.body.replaceChildren();
});

describe("the Share panel", () => {
  it("does not ask who has access when the person has only the link's role", async () => {
    const element = document.createElement("aside");
    element.innerHTML = PANEL;
    document.body.append(element);
    const share = bindShare({
      api: new DocsApi("d1", fakeCall),
      panel: element,
      strings: readStrings(element),
      canManage: false,
      canSeeAccesses: false,
    });
    await share.refresh();
    expect(calls.map(([method, url]) => `${method} ${url}`)).toEqual(["GET /api/v1/docs/documents/d1/"]);
    expect(element.querySelector("[data-share-hidden]")?.textContent).toBe("Shown to those given access");
    expect(element.querySelector<HTMLElement>("[data-share-error]")?.hidden).toBe(true);
  });

  it("reads the accesses, the requests and the link when it opens", async () => {
    const { element, share } = panel();
    await share.refresh();
    expect(calls.map(([method, url]) => `${method} ${url}`)).toEqual([
      "GET /api/v1/docs/documents/d1/accesses/",
      "GET /api/v1/docs/documents/d1/access-requests/",
      "GET /api/v1/docs/documents/d1/",
    ]);
    const rows = [...element.querySelectorAll<HTMLElement>("[data-access]")];
    expect(rows.map((row) => row.querySelector(".ens-doc__share-who")?.textContent)).toEqual(["Ada Lovelace", "FinancesTeam"]);
    expect(rows[1].querySelector("select")?.value).toBe("reader");
    expect(element.querySelector<HTMLSelectElement>("[data-share-reach]")?.value).toBe("authenticated");
    expect(element.querySelector<HTMLElement>("[data-share-requests]")?.hidden).toBe(false);
    expect(element.querySelector("[data-access-request]")?.textContent).toContain("Dan Roux asks to be Editor");
  });

  it("changes a role, takes an access back, answers a request, sets the link", async () => {
    const { element, share } = panel();
    await share.refresh();
    const select = element.querySelector<HTMLSelectElement>("[data-access=a2] select")!;
    select.value = "editor";
    select.dispatchEvent(new Event("change"));
    await flush();
    element.querySelector<HTMLButtonElement>("[data-access=a2] [data-access-remove]")!.click();
    await flush();
    element.querySelector<HTMLButtonElement>("[data-request-accept]")!.click();
    await flush();
    const reach = element.querySelector<HTMLSelectElement>("[data-share-reach]")!;
    reach.value = "public";
    reach.dispatchEvent(new Event("change"));
    await flush();
    const writes = calls.filter(([method]) => method !== "GET");
    expect(writes).toEqual([
      ["PATCH", "/api/v1/docs/documents/d1/accesses/a2/", { role: "editor" }],
      ["DELETE", "/api/v1/docs/documents/d1/accesses/a2/", undefined],
      ["POST", "/api/v1/docs/documents/d1/access-requests/answer/", { request: "r1", accept: true }],
      ["PATCH", "/api/v1/docs/documents/d1/", { link_reach: "public" }],
    ]);
  });

  it("gives a role to a team found in the directory", async () => {
    const found: Entry[] = [{ kind: "team", id: "t7", name: "Voirie" }];
    const { element } = panel(true, async () => found);
    const input = element.querySelector<HTMLInputElement>("[data-share-search]")!;
    input.value = "Vo";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(element.querySelector("[data-share-result=t7]")?.textContent).toContain("Voirie");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    element.querySelector<HTMLSelectElement>("[data-share-role]")!.value = "reader";
    element.querySelector("form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(calls.find(([method]) => method === "POST")).toEqual(["POST", "/api/v1/docs/documents/d1/accesses/", { team: "t7", role: "reader" }]);
  });

  it("shows the API's refusal", async () => {
    const { element, share } = panel();
    await share.refresh();
    refuse = "Only the owners may give ownership.";
    const select = element.querySelector<HTMLSelectElement>("[data-access=a2] select")!;
    select.value = "owner";
    select.dispatchEvent(new Event("change"));
    await flush();
    await flush();
    const error = element.querySelector<HTMLElement>("[data-share-error]")!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe("Only the owners may give ownership.");
  });

  it("offers no changes to someone who may not manage the accesses", async () => {
    const { element, share } = panel(false);
    await share.refresh();
    expect(calls.some(([, url]) => url.includes("access-requests"))).toBe(false);
    expect(element.querySelector("[data-access] select")).toBeNull();
    expect(element.querySelector("[data-access=a1]")?.textContent).toContain("Owner");
    expect(element.querySelector<HTMLSelectElement>("[data-share-reach]")?.disabled).toBe(true);
  });

  it("lists the accesses given on the pages above, read-only, with a link to the page", async () => {
    const { element, share } = panel();
    await share.refresh();
    expect(element.querySelectorAll("[data-access]")).toHaveLength(2);
    const inherited = element.querySelector<HTMLElement>("[data-access-inherited=a3]")!;
    expect(inherited.textContent).toContain("Léa Martin");
    expect(inherited.textContent).toContain("Editor");
    expect(inherited.textContent).toContain("Inherited from Projets");
    expect(inherited.querySelector("select, button")).toBeNull();
    expect(inherited.querySelector<HTMLAnchorElement>("a[data-access-from=p1]")?.getAttribute("href")).toBe("/docs/p1/");
    expect(element.querySelector("[data-share-none]")).toBeNull();
  });

  it("says nobody has access here when only the pages above give some", async () => {
    accesses = ACCESSES.filter((access) => access.inherited_from);
    const { element, share } = panel();
    await share.refresh();
    const rows = [...element.querySelectorAll<HTMLElement>("[data-share-accesses] > li")];
    expect(rows[0].textContent).toBe("Nobody here");
    expect(rows[1].dataset.accessInherited).toBe("a3");
  });

  it("offers to invite by e-mail when an address is typed, and says an e-mail was sent", async () => {
    const { element } = panel(true, async () => []);
    const input = element.querySelector<HTMLInputElement>("[data-share-search]")!;
    const invite = element.querySelector<HTMLFormElement>("[data-share-invite]")!;
    input.value = "zoe@example.org";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(invite.hidden).toBe(false);
    expect(element.querySelector<HTMLInputElement>("[data-share-invite-email]")!.value).toBe("zoe@example.org");
    element.querySelector<HTMLSelectElement>("[data-share-invite-role]")!.value = "reader";
    invite.dispatchEvent(new Event("submit"));
    await flush();
    await flush();
    expect(calls.find(([method]) => method === "POST")).toEqual(["POST", "/api/v1/docs/documents/d1/invitations/", { email: "zoe@example.org", role: "reader" }]);
    expect(element.querySelector("[data-share-invited]")?.textContent).toBe("Invitation sent to zoe@example.org");
    expect(invite.hidden).toBe(true);
  });

  it("offers the invitation when the search finds nobody; a colleague gets the role at once", async () => {
    invitation = { added: "paul@example.org" };
    const { element } = panel(true, async () => []);
    const input = element.querySelector<HTMLInputElement>("[data-share-search]")!;
    const invite = element.querySelector<HTMLFormElement>("[data-share-invite]")!;
    input.value = "Paul Dur";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(invite.hidden).toBe(false);
    const email = element.querySelector<HTMLInputElement>("[data-share-invite-email]")!;
    expect(email.value).toBe("");
    invite.dispatchEvent(new Event("submit"));
    await flush();
    expect(calls.some(([method]) => method === "POST")).toBe(false); // no address yet
    expect(email.getAttribute("aria-invalid")).toBe("true");
    email.value = "paul@example.org";
    email.dispatchEvent(new Event("input"));
    invite.dispatchEvent(new Event("submit"));
    await flush();
    await flush();
    expect(element.querySelector("[data-share-invited]")?.textContent).toBe("paul@example.org has the role now");
  });

  it("hides the invitation again when the search finds someone", async () => {
    const found: Entry[] = [{ kind: "person", id: "u5", name: "Paul Durand" }];
    let answer: Entry[] = [];
    const { element } = panel(true, async () => answer);
    const input = element.querySelector<HTMLInputElement>("[data-share-search]")!;
    input.value = "Pxx";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(element.querySelector<HTMLElement>("[data-share-invite]")!.hidden).toBe(false);
    answer = found;
    input.value = "Pau";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(element.querySelector<HTMLElement>("[data-share-invite]")!.hidden).toBe(true);
  });
});
