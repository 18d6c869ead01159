// The editor page's calls to the Docs API (/api/v1/docs/…, types from the OpenAPI schema): what
// the page can do is what the API does, with the API's own refusals shown as they come.
import { ApiError, apiJson, csrf, detail } from "../api";
import type { components } from "../generated/api";

export { ApiError };

type Schemas = components["schemas"];
export type Access = Schemas["Access"];
export type AccessRequest = Schemas["AccessRequest"];
export type Comment = Schemas["Comment"];
export type Reply = Schemas["Reply"];
export type DocumentData = Schemas["Document"];
export type Job = Schemas["Job"];
export type Version = Schemas["Version"];
export type Entry = Schemas["DirectoryEntry"];
export type Role = Schemas["RoleE0fEnum"];
export type LinkReach = Schemas["LinkReachEnum"];

/** What an invitation did (POST invitations/): 201 ``invited``, 200 ``added``. */
export interface Invitation {
  invited?: string;
  added?: string;
}

export type DocumentList = "mine" | "shared" | "favourites" | "recent" | "templates";

/** One of the Docs home's lists, searched when ``search`` is given. */
export const listDocuments = (view: DocumentList, search = "", call: <T>(url: string) => Promise<T> = apiJson): Promise<DocumentData[]> =>
  call(`/api/v1/docs/documents/?${new URLSearchParams(search.trim() ? { view, search: search.trim() } : { view })}`);

/** One version's content as HTML, and what changed from it to the current text. */
export interface VersionDetail extends Version {
  format: string;
  content: string;
  changes: { op: "equal" | "insert" | "delete"; text: string }[];
}

export const ROLES: Role[] = ["reader", "commenter", "editor", "administrator", "owner"];
export const LINK_ROLES: Role[] = ["reader", "commenter", "editor"];
export const LINK_REACHES: LinkReach[] = ["restricted", "authenticated", "public"];
export const EXPORT_FORMATS = ["pdf", "docx", "odt", "md", "html"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The calls about one document; ``call`` is replaced in tests. */
export class DocsApi {
  readonly base: string;

  constructor(
    readonly documentId: string,
    readonly call: <T>(url: string, method?: string, data?: unknown) => Promise<T> = apiJson,
  ) {
    this.base = `/api/v1/docs/documents/${documentId}/`;
  }

  update = (changes: Partial<Pick<DocumentData, "title" | "link_reach" | "link_role" | "is_template">>): Promise<DocumentData> =>
    this.call(this.base, "PATCH", changes);
  /** Put the document (and what is below it) under ``parent``, or at the root (null). */
  move = (parent: string | null): Promise<DocumentData> => this.call(`${this.base}move/`, "POST", { parent });
  document = (): Promise<DocumentData> => this.call(this.base);

  accesses = (): Promise<Access[]> => this.call(`${this.base}accesses/`);
  grant = (to: { user?: string; team?: string }, role: Role): Promise<Access> =>
    this.call(`${this.base}accesses/`, "POST", { ...to, role });
  changeRole = (access: string, role: Role): Promise<Access> => this.call(`${this.base}accesses/${access}/`, "PATCH", { role });
  revoke = (access: string): Promise<null> => this.call(`${this.base}accesses/${access}/`, "DELETE");
  /** Invite by e-mail: ``invited`` (an e-mail was sent; they join as a guest) or ``added`` (a
   * colleague, who has the role at once). */
  invite = (email: string, role: Role): Promise<Invitation> => this.call(`${this.base}invitations/`, "POST", { email, role });
  requests = (): Promise<AccessRequest[]> => this.call(`${this.base}access-requests/`);
  answer = (request: string, accept: boolean): Promise<null> =>
    this.call(`${this.base}access-requests/answer/`, "POST", { request, accept });

  versions = (): Promise<Version[]> => this.call(`${this.base}versions/`);
  nameVersion = (name: string): Promise<Version> => this.call(`${this.base}versions/`, "POST", { name });
  version = (id: string): Promise<VersionDetail> => this.call(`${this.base}versions/${id}/?as=html`);
  restoreVersion = (id: string): Promise<{ seq: number }> => this.call(`${this.base}versions/${id}/restore/`, "POST");

  comments = (): Promise<Comment[]> => this.call(`${this.base}comments/`);
  writeComment = (data: {
    body: string;
    thread?: string;
    anchor_start?: string;
    anchor_end?: string;
    quote?: string;
    mentions?: string[];
  }): Promise<Comment> => this.call(`${this.base}comments/`, "POST", data);
  changeComment = (id: string, data: { body?: string; resolved?: boolean }): Promise<Comment> =>
    this.call(`${this.base}comments/${id}/`, "PATCH", data);
  deleteComment = (id: string): Promise<null> => this.call(`${this.base}comments/${id}/`, "DELETE");

  export = (format: ExportFormat): Promise<Job> => this.call(`${this.base}exports/`, "POST", { format });
}

/** People and teams whose name holds ``q`` (the directory; nothing for one letter). */
export async function searchDirectory(q: string, kind: "all" | "people" | "teams" = "all"): Promise<Entry[]> {
  if (q.trim().length < 2) return [];
  return apiJson<Entry[]>(`/api/v1/directory/?${new URLSearchParams({ q: q.trim(), kind })}`);
}

export const jobUrl = (id: string): string => `/api/v1/docs/jobs/${id}/`;
export const downloadUrl = (id: string): string => `/api/v1/docs/jobs/${id}/download/`;
export const getJob = (id: string): Promise<Job> => apiJson<Job>(jobUrl(id));

/** Send a file to import as a new document; the job follows. */
export async function importFile(file: File): Promise<Job> {
  const form = new FormData();
  form.append("file", file);
  const response = await fetch("/api/v1/docs/jobs/", {
    method: "POST",
    headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
    credentials: "same-origin",
    body: form,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, detail(response.status, body));
  return body as Job;
}

/** Why a call failed, in words the person can read (the API's message when it gave one). */
export const reasonOf = (failure: unknown, fallback: string): string =>
  failure instanceof ApiError && failure.status ? failure.message : fallback;


/** Show a call's refusal in a panel's error box (its <p>), or nothing if it has none. */
export function showFailure(box: HTMLElement | null, failure: unknown, fallback: string): void {
  if (!box) return;
  box.querySelector("p")!.textContent = reasonOf(failure, fallback);
  box.hidden = false;
}