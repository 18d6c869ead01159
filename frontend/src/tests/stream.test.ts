// The stream client against a fake socket: what it asks for after a reconnection, what it
// hands to the page, and what it forgets when access ends.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StreamClient, type StreamEvent } from "../stream";

class FakeSocket {
  static OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }

  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  receive(data: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(data) });
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  subscriptions(): Record<string, unknown>[] {
    return this.sent.filter((message) => message.action === "subscribe");
  }
}

const event = (stream: string, seq: number): Record<string, unknown> => ({
  type: "event",
  stream,
  seq,
  event: "chat.message.created",
  payload: { seq },
});

function connected(): { client: StreamClient; socket: FakeSocket; seen: StreamEvent[] } {
  const client = new StreamClient("ws://test/ws/");
  const seen: StreamEvent[] = [];
  client.follow("chat.room.a", 5, (received) => seen.push(received));
  const socket = FakeSocket.opened.at(-1)!;
  socket.open();
  return { client, socket, seen };
}

beforeEach(() => {
  FakeSocket.opened = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("StreamClient", () => {
  it("subscribes after the last sequence it was given", () => {
    const { socket } = connected();
    expect(socket.subscriptions()).toEqual([{ action: "subscribe", stream: "chat.room.a", after: 5 }]);
  });

  it("hands each event to the page once, in order, and skips what it has seen", () => {
    const { socket, seen } = connected();
    socket.receive(event("chat.room.a", 6));
    socket.receive(event("chat.room.a", 6)); // a catch-up overlapping the live feed
    socket.receive(event("chat.room.a", 4)); // older than where the page started
    socket.receive(event("chat.room.a", 7));
    expect(seen.map((received) => received.seq)).toEqual([6, 7]);
  });

  it("asks for what it missed after a reconnection", () => {
    const { socket, seen } = connected();
    socket.receive(event("chat.room.a", 6));
    socket.drop();
    vi.advanceTimersByTime(1000); // the first retry waits at most 500 ms
    const again = FakeSocket.opened.at(-1)!;
    expect(again).not.toBe(socket);
    again.open();
    expect(again.subscriptions()).toEqual([{ action: "subscribe", stream: "chat.room.a", after: 6 }]);
    again.receive(event("chat.room.a", 7));
    expect(seen.map((received) => received.seq)).toEqual([6, 7]);
  });

  it("does not reconnect once signed out", () => {
    const { socket } = connected();
    socket.drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it("starts from the stream's present when following from now on", () => {
    const client = new StreamClient("ws://test/ws/");
    const seen: StreamEvent[] = [];
    client.follow("chat.room.b", Number.MAX_SAFE_INTEGER, (received) => seen.push(received));
    const socket = FakeSocket.opened.at(-1)!;
    socket.open();
    socket.receive({ type: "subscribed", stream: "chat.room.b", seq: 40 });
    socket.receive(event("chat.room.b", 41));
    expect(seen.map((received) => received.seq)).toEqual([41]);
  });

  it("forgets a stream whose access ended, also across reconnections", () => {
    const { client, socket, seen } = connected();
    client.follow("chat.room.c", 0, (received) => seen.push(received));
    socket.receive({ type: "unsubscribed", stream: "chat.room.a" });
    socket.receive(event("chat.room.a", 9));
    expect(seen).toEqual([]);
    socket.drop();
    vi.advanceTimersByTime(1000);
    const again = FakeSocket.opened.at(-1)!;
    again.open();
    expect(again.subscriptions().map((message) => message.stream)).toEqual(["chat.room.c"]);
  });

  it("hands a followed stream's events to a watcher too, from where it stands", () => {
    const { client, socket, seen } = connected();
    socket.receive(event("chat.room.a", 6));
    const watched: number[] = [];
    client.watch("chat.room.a", (received) => watched.push(received.seq));
    expect(socket.subscriptions()).toHaveLength(1); // not asked for again
    socket.receive(event("chat.room.a", 7));
    expect(seen.map((received) => received.seq)).toEqual([6, 7]);
    expect(watched).toEqual([7]);
  });

  it("subscribes a watched stream from now on, and again after a reconnection", () => {
    const client = new StreamClient("ws://test/ws/");
    const watched: number[] = [];
    client.watch("user:u", (received) => watched.push(received.seq));
    const socket = FakeSocket.opened.at(-1)!;
    socket.open();
    expect(socket.subscriptions()).toEqual([{ action: "subscribe", stream: "user:u", after: Number.MAX_SAFE_INTEGER }]);
    socket.receive({ type: "subscribed", stream: "user:u", seq: 3 });
    socket.receive(event("user:u", 4));
    socket.drop();
    vi.advanceTimersByTime(1000);
    const again = FakeSocket.opened.at(-1)!;
    again.open();
    expect(again.subscriptions()).toEqual([{ action: "subscribe", stream: "user:u", after: 4 }]);
    expect(watched).toEqual([4]);
  });

  it("delivers signals live to the stream's signal handler", () => {
    const client = new StreamClient("ws://test/ws/");
    const signals: string[] = [];
    client.follow("chat.room.d", 0, () => undefined, (signal) => signals.push(signal.signal));
    const socket = FakeSocket.opened.at(-1)!;
    socket.open();
    socket.receive({ type: "signal", stream: "chat.room.d", signal: "typing", payload: {} });
    socket.receive({ type: "signal", stream: "chat.room.other", signal: "typing", payload: {} });
    expect(signals).toEqual(["typing"]);
  });
});
