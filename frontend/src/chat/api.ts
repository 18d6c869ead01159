// The chat page's calls to Ensemble's REST API.
import { ApiError, apiCall, apiJson, csrf, detail } from "../api";
import type { components } from "../generated/api";

export { ApiError };

type Schemas = components["schemas"];
/** The page keeps these objects and updates them from stream events: writable copies. */
type Kept<T> = { -readonly [K in keyof T]: T[K] };

export type Attachment = Kept<Schemas["Attachment"]>;
export type Message = Kept<Omit<Schemas["Message"], "attachments">> & { attachments: Attachment[] };
export type Room = Kept<Schemas["Room"]>;
/** One person of a room (GET rooms/{id}/members/). */
export type Member = Kept<Schemas["RoomMemberEntry"]>;
/** One answer of the directory (GET /api/v1/directory/): a person or a team. */
export type Entry = Schemas["DirectoryEntry"];

/** Search the directory (people by name, e-mail, organisation or team; contacts first). */
export const directory = (q: string, kind = "all"): Promise<Entry[]> =>
  apiJson<Entry[]>(`/api/v1/directory/?${new URLSearchParams({ q, kind })}`);

/** The people of a team (to invite them all). */
export const teamMembers = async (team: string): Promise<string[]> => {
  const found = await apiJson<{ memberships: { user: { id: string } }[] }>(`/api/v1/teams/${team}/`);
  return found.memberships.map((membership) => membership.user.id);
};

/** Send a file (form field "file") to the chat API; resolves with its JSON answer or throws. */
export async function sendFile<T>(path: string, file: File, method = "POST"): Promise<T> {
  const form = new FormData();
  form.append("file", file);
  const response = await fetch(`/api/v1/chat/${path}`, {
    method,
    headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
    credentials: "same-origin",
    body: form,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, detail(response.status, body));
  return body as T;
}

/** Call the chat API; resolves with the response or throws ApiError. */
export const call = (path: string, method = "GET", data?: unknown): Promise<Response> =>
  apiCall(`/api/v1/chat/${path}`, method, data);

export const json = <T>(path: string, method = "GET", data?: unknown): Promise<T> =>
  apiJson<T>(`/api/v1/chat/${path}`, method, data);

/** Upload one file to a room, reporting progress (0 to 1); resolves with the attachment. */
export function upload(room: string, file: File, progress: (done: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/chat/rooms/${room}/attachments/`);
    request.setRequestHeader("X-CSRFToken", csrf());
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === 201) resolve(request.response as Attachment);
      else reject(new ApiError(request.status, detail(request.status, request.response)));
    };
    request.onerror = () => reject(new ApiError(0, "network"));
    const form = new FormData();
    form.append("file", file);
    request.send(form);
  });
}

/** A transaction id for an idempotent send (kept across retries of the same message). */
export function transactionId(): string {
  const random = crypto.getRandomValues(new Uint32Array(4));
  return Array.from(random, (n) => n.toString(36)).join("-");
}
