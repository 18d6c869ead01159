// The client of Ensemble's real-time stream (/ws/): one socket, many streams, resumable.
// It remembers the last sequence of every stream it follows and, after any disconnection,
// reconnects with backoff and asks for what it missed.

export interface StreamEvent {
  type: "event";
  stream: string;
  seq: number;
  event: string;
  payload: Record<string, unknown>;
}

type Handler = (event: StreamEvent) => void;

export class StreamClient {
  private socket: WebSocket | null = null;
  private readonly last = new Map<string, number>();
  private readonly handlers = new Map<string, Handler>();
  private retry = 0;
  public onstatus: (connected: boolean) => void = () => {};

  constructor(private readonly url: string = StreamClient.defaultUrl()) {}

  static defaultUrl(): string {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/`;
  }

  follow(stream: string, after: number, handler: Handler): void {
    this.last.set(stream, after);
    this.handlers.set(stream, handler);
    if (this.socket?.readyState === WebSocket.OPEN) this.subscribe(stream);
    else if (!this.socket) this.connect();
  }

  private subscribe(stream: string): void {
    this.socket?.send(JSON.stringify({ action: "subscribe", stream, after: this.last.get(stream) ?? 0 }));
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      this.onstatus(true);
      for (const stream of this.handlers.keys()) this.subscribe(stream);
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data as string);
      if (data.type !== "event") return;
      const event = data as StreamEvent;
      if (event.seq <= (this.last.get(event.stream) ?? 0)) return; // already seen
      this.last.set(event.stream, event.seq);
      this.handlers.get(event.stream)?.(event);
    };
    socket.onclose = (close) => {
      this.socket = null;
      this.onstatus(false);
      if (close.code === 4401) return; // signed out: nothing to resume
      const delay = Math.min(30000, 500 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      window.setTimeout(() => this.connect(), delay);
    };
  }
}
