// The client of Ensemble's real-time stream (/ws/): one socket per page, many streams, resumable.
// It remembers the last sequence of every stream it follows and, after any disconnection,
// reconnects with backoff and asks for what it missed. It also carries ephemeral signals
// (typing, presence): live only, never replayed.

export interface StreamEvent {
  type: "event";
  stream: string;
  seq: number;
  event: string;
  payload: Record<string, unknown>;
}

export interface StreamSignal {
  type: "signal";
  stream: string;
  signal: string;
  payload: Record<string, unknown>;
}

type Handler = (event: StreamEvent) => void;
type SignalHandler = (signal: StreamSignal) => void;

const PING_EVERY = 30_000;
const AWAY_AFTER = 5 * 60_000;

export class StreamClient {
  private socket: WebSocket | null = null;
  private readonly last = new Map<string, number>();
  private readonly handlers = new Map<string, Handler>();
  private readonly signalHandlers = new Map<string, SignalHandler>();
  private readonly watchers = new Map<string, Handler[]>();
  private readonly statusHandlers: ((connected: boolean) => void)[] = [];
  private retry = 0;
  private presence: "online" | "away" = "online";
  private idleTimer = 0;

  constructor(private readonly url: string = StreamClient.defaultUrl()) {
    window.setInterval(() => this.send({ action: "ping" }), PING_EVERY);
    document.addEventListener("visibilitychange", () => this.activity());
    for (const name of ["keydown", "pointerdown", "focus"]) {
      window.addEventListener(name, () => this.activity(), { passive: true });
    }
    this.activity();
  }

  static defaultUrl(): string {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/`;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  onstatus(handler: (connected: boolean) => void): void {
    this.statusHandlers.push(handler);
  }

  /** Follow a stream from ``after`` (a number beyond the latest means: from now on). */
  follow(stream: string, after: number, handler: Handler, onSignal?: SignalHandler): void {
    this.last.set(stream, after);
    this.handlers.set(stream, handler);
    if (onSignal) this.signalHandlers.set(stream, onSignal);
    if (this.connected) this.subscribe(stream);
    else if (!this.socket) this.connect();
  }

  /** Also hand a stream's events to ``handler``, from now on (another island of the page, e.g.
   * the chat's room list on the person's own stream, which the notification panel follows). */
  watch(stream: string, handler: Handler): void {
    this.watchers.set(stream, [...(this.watchers.get(stream) ?? []), handler]);
    if (this.last.has(stream)) return;
    this.last.set(stream, Number.MAX_SAFE_INTEGER);
    if (this.connected) this.subscribe(stream);
    else if (!this.socket) this.connect();
  }

  signal(stream: string, signal: string, payload: Record<string, unknown>): void {
    this.send({ action: "signal", stream, signal, payload });
  }

  private send(message: Record<string, unknown>): void {
    if (this.connected) this.socket?.send(JSON.stringify(message));
  }

  // Away when the tab is hidden or nothing happened for five minutes; online otherwise.
  private activity(): void {
    window.clearTimeout(this.idleTimer);
    const visible = document.visibilityState === "visible";
    this.setPresence(visible ? "online" : "away");
    if (visible) this.idleTimer = window.setTimeout(() => this.setPresence("away"), AWAY_AFTER);
  }

  private setPresence(state: "online" | "away"): void {
    if (state === this.presence) return;
    this.presence = state;
    this.send({ action: "presence", state });
  }

  private subscribe(stream: string): void {
    this.send({ action: "subscribe", stream, after: this.last.get(stream) ?? 0 });
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      if (this.presence === "away") this.send({ action: "presence", state: "away" });
      for (const stream of this.last.keys()) this.subscribe(stream);
      for (const handler of this.statusHandlers) handler(true);
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data as string);
      if (data.type === "signal") {
        this.signalHandlers.get(data.stream)?.(data as StreamSignal);
        return;
      }
      if (data.type === "subscribed") {
        // Following "from now on": start counting from the stream's present sequence.
        if ((this.last.get(data.stream) ?? 0) > data.seq) this.last.set(data.stream, data.seq);
        return;
      }
      if (data.type === "unsubscribed") {
        // Access ended (removed, banned): the page was told by the event before; forget the
        // stream so that a reconnection does not ask for it again.
        this.last.delete(data.stream);
        this.handlers.delete(data.stream);
        this.signalHandlers.delete(data.stream);
        this.watchers.delete(data.stream);
        return;
      }
      if (data.type !== "event") return;
      const event = data as StreamEvent;
      const last = this.last.get(event.stream);
      if (last === undefined || event.seq <= last) return; // not followed (any more), or seen
      this.last.set(event.stream, event.seq);
      this.handlers.get(event.stream)?.(event);
      for (const watcher of this.watchers.get(event.stream) ?? []) watcher(event);
    };
    socket.onclose = (close) => {
      this.socket = null;
      for (const handler of this.statusHandlers) handler(false);
      if (close.code === 4401) return; // signed out: nothing to resume
      const delay = Math.min(30000, 500 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      window.setTimeout(() => this.connect(), delay);
    };
  }
}

let shared: StreamClient | null = null;

/** The page's one connection, shared by every island on it. */
export function streamClient(): StreamClient {
  shared ??= new StreamClient();
  return shared;
}
