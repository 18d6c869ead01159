// Talking to Ensemble's REST API from the chat page: JSON in and out, clear errors.

export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
}

export interface Message {
  id: string;
  seq: number;
  room: string;
  author: string | null;
  author_name: string;
  body: string;
  html: string;
  reply_to: string | null;
  created_at: string;
  edited: boolean;
  deleted: boolean;
  pinned: boolean;
  reactions: Record<string, string[]>;
  attachments: Attachment[];
}

export interface Room {
  id: string;
  kind: string;
  name: string;
  title: string;
  avatar: string | null;
  topic: string;
  stream: string;
  role: string | null;
  notify: string | null;
  unread: number;
  mentions: number;
  archived_at: string | null;
  abilities: Record<string, boolean>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const csrf = (): string => document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? "";

function detail(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const values = Object.values(body as Record<string, unknown>).flat();
    if (values.length) return values.map(String).join(" ");
  }
  return `HTTP ${status}`;
}

/** Call the API; resolves with the response (JSON read by the caller) or throws ApiError.
 * A network failure throws TypeError, which callers may retry. */
export async function call(path: string, method = "GET", data?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "X-CSRFToken": csrf(), Accept: "application/json" };
  if (data !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api/v1/chat/${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: data === undefined ? undefined : JSON.stringify(data),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, detail(response.status, body));
  }
  return response;
}

export async function json<T>(path: string, method = "GET", data?: unknown): Promise<T> {
  const response = await call(path, method, data);
  return (response.status === 204 ? null : await response.json()) as T;
}

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
