// The chat page's calls to Ensemble's REST API.
import { ApiError, apiCall, apiJson, csrf, detail } from "../api";

export { ApiError };

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
  guest: boolean; // a guest of a meeting, without an account
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
