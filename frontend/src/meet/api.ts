// The meeting page's calls to Meet's REST API. A guest proves who they are with the key the
// join set in an HttpOnly cookie of the meeting: the browser sends it, no script reads it, and
// no address carries it.
import { apiCall, apiJson, csrf } from "../api";
import type { MediaInfo } from "./media";

export interface Person {
  id: string;
  display_name: string;
  role: "host" | "moderator" | "participant";
  state: "waiting" | "admitted" | "denied" | "left" | "removed";
  feed: number | null;
  screen_feed: number | null;
  hand_raised_at: string | null;
  guest: boolean;
  microphone: boolean;
  camera: boolean;
}

export interface Me {
  id: string;
  display_name: string;
  role: Person["role"];
  state: Person["state"];
  media: (MediaInfo & { stream: string }) | null;
}

/** Who may join: anyone with the link (guests too), people signed in, invited people. */
export type Access = "public" | "signed_in" | "invited";

export interface Meeting {
  code: string;
  title: string;
  access: Access;
  locked: boolean;
  recording: boolean;
  ended_at: string | null;
}

/** A message of the meeting's chat, as the Chat app gives it. */
export interface ChatMessage {
  id: string;
  seq: number;
  author: string | null;
  author_name: string;
  guest: boolean;
  html: string;
  created_at: string;
  edited: boolean;
  deleted: boolean;
}

export interface WireEvent {
  stream: string;
  seq: number;
  event: string;
  payload: Record<string, unknown>;
}

export class MeetApi {
  constructor(private readonly code: string) {}

  private url(path: string): string {
    return `/api/v1/meet/meetings/${this.code}/${path}`;
  }

  join = (name: string): Promise<Me> => apiJson<Me>(this.url("join/"), "POST", { name });

  me = (): Promise<Me> => apiJson<Me>(this.url("me/"));
  meeting = (): Promise<Meeting> => apiJson<Meeting>(`/api/v1/meet/meetings/${this.code}/`);
  people = (): Promise<Person[]> => apiJson<Person[]>(this.url("participants/"));
  /** The people, and where the meeting's stream stood before they were read. */
  async peopleAt(): Promise<{ people: Person[]; seq: number }> {
    const response = await apiCall(this.url("participants/"));
    return { people: (await response.json()) as Person[], seq: Number(response.headers.get("X-Stream-Seq") ?? 0) };
  }
  events = (after: number, stream: "meeting" | "chat" = "meeting"): Promise<{ seq: number; events: WireEvent[] }> =>
    apiJson(this.url(`events/?after=${after}&stream=${stream}`));
  leave = (): Promise<null> => apiJson(this.url("leave/"), "POST");
  /** Leave as the page goes away (a request that outlives the page). */
  leaveNow(): void {
    void fetch(this.url("leave/"), {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf() },
    }).catch(() => undefined);
  }
  react = (emoji: string): Promise<null> => apiJson(this.url("react/"), "POST", { emoji });
  hand = (raised: boolean): Promise<Person> => apiJson(this.url("hand/"), "POST", { raised });
  devices = (microphone: boolean, camera: boolean, janus?: Record<string, number> | null): Promise<Person> =>
    apiJson(this.url("devices/"), "POST", { microphone, camera, ...(janus ?? {}) });
  chat = (): Promise<{ room: string; stream: string; seq: number; messages: ChatMessage[] }> => apiJson(this.url("messages/"));
  say = (body: string, txn_id: string): Promise<ChatMessage> => apiJson(this.url("messages/"), "POST", { body, txn_id });

  // Moderation (hosts and moderators, who are signed in).
  moderate = (id: string, move: "admit" | "deny" | "remove"): Promise<Person> =>
    apiJson(this.url(`participants/${id}/${move}/`), "POST");
  role = (id: string, role: "moderator" | "participant"): Promise<Person> =>
    apiJson(this.url(`participants/${id}/role/`), "POST", { role });
  admitAll = (): Promise<unknown> => apiJson(this.url("admit-all/"), "POST");
  mute = (participant: string | null): Promise<unknown> => apiJson(this.url("mute/"), "POST", { participant });
  lock = (locked: boolean): Promise<Meeting> => apiJson(this.url("lock/"), "POST", { locked });
  record = (recording: boolean): Promise<Meeting> => apiJson(this.url("record/"), "POST", { recording });
  end = (): Promise<Meeting> => apiJson(this.url("end/"), "POST");
  /** Change who may join (hosts and moderators). */
  access = (access: Access): Promise<Meeting> => apiJson(this.url("access/"), "POST", { access });
}
