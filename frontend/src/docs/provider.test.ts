// The document socket's client: handshake, the count of frames against `saved n`, the status
// the page shows, reconnection (with the offline changes sent in the new handshake), refusals.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Awareness } from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import {
  DocProvider,
  type LocalStore,
  MESSAGE_AUTH,
  MESSAGE_COMMENTS,
  MESSAGE_SAVED,
  MESSAGE_SYNC,
  type Status,
} from "./provider";

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  binaryType = "blob";
  sent: Uint8Array[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  accept(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  deliver(frame: Uint8Array): void {
    this.onmessage?.({ data: frame.slice().buffer } as MessageEvent);
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

const latest = (): FakeSocket => FakeSocket.instances[FakeSocket.instances.length - 1];

/** The server's side of the talk: its copy of the document and what it was sent. */
class FakeServer {
  doc = new Y.Doc();
  stored = 0;

  step1(): Uint8Array {
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(frame, this.doc);
    return encoding.toUint8Array(frame);
  }
  step2(clientVector: Uint8Array = new Uint8Array([0])): Uint8Array {
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeSyncStep2(frame, this.doc, clientVector);
    return encoding.toUint8Array(frame);
  }
  saved(n: number): Uint8Array {
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SAVED);
    encoding.writeVarUint(frame, n);
    return encoding.toUint8Array(frame);
  }
  /** Read the sync frames a socket sent (not awareness); apply the counted ones (step 2,
   * update); their kinds. */
  read(socket: FakeSocket): string[] {
    const sync = socket.sent.filter((data) => data[0] === MESSAGE_SYNC);
    const kinds = sync.map((data) => {
      const decoder = decoding.createDecoder(data);
      const kind = decoding.readVarUint(decoder);
      expect(kind).toBe(MESSAGE_SYNC);
      const step = decoding.readVarUint(decoder);
      if (step === 0) return "step1";
      Y.applyUpdate(this.doc, decoding.readVarUint8Array(decoder));
      this.stored += 1;
      return step === 1 ? "step2" : "update";
    });
    socket.sent = [];
    return kinds;
  }
}

const denied = (reason = "read-only"): Uint8Array => {
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MESSAGE_AUTH);
  encoding.writeVarUint(frame, 0);
  encoding.writeVarString(frame, reason);
  return encoding.toUint8Array(frame);
};

const text = (doc: Y.Doc): string => doc.getText("t").toString();

let events: EventTarget;
let statuses: Status[];

function provider(doc = new Y.Doc(), store?: (name: string, doc: Y.Doc) => LocalStore): DocProvider {
  const made = new DocProvider({
    url: "/ws/docs/d1/",
    doc,
    awareness: new Awareness(doc),
    storeName: "ensemble-doc-d1",
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    store: store ?? (() => ({ whenSynced: Promise.resolve(), destroy: () => undefined })),
    events,
    minDelay: 1000,
    maxDelay: 8000,
  });
  made.onStatus((status) => statuses.push(status));
  return made;
}

/** Connect, answer the handshake as the server does, acknowledge: the status is "saved". */
async function connected(server: FakeServer, made: DocProvider): Promise<FakeSocket> {
  await made.start();
  const socket = latest();
  socket.accept();
  socket.deliver(server.step1());
  socket.deliver(server.step2());
  server.read(socket);
  socket.deliver(server.saved(server.stored));
  return socket;
}

beforeEach(() => {
  FakeSocket.instances = [];
  events = new EventTarget();
  statuses = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the document socket's client", () => {
  it("answers the server's step 1 with its step 2, and says saved once that is acknowledged", async () => {
    const server = new FakeServer();
    server.doc.getText("t").insert(0, "from the server");
    const doc = new Y.Doc();
    const made = provider(doc);
    await made.start();
    const socket = latest();
    expect(socket.url).toMatch(/^ws:\/\/.+\/ws\/docs\/d1\/$/);
    expect(made.status).toBe("offline");

    socket.accept();
    expect(server.read(socket)).toEqual(["step1"]); // the client asks for what it lacks
    expect(made.status).toBe("syncing");

    socket.deliver(server.step1());
    expect(server.read(socket)).toEqual(["step2"]);
    expect(made.sent).toBe(1);
    socket.deliver(server.step2());
    expect(text(doc)).toBe("from the server");
    expect(made.status).toBe("syncing"); // the step 2 is not acknowledged yet

    socket.deliver(server.saved(1));
    expect(made.status).toBe("saved");
    expect(statuses).toEqual(["offline", "syncing", "saved"]);
  });

  it("counts each update it sends and is saved only when the server stored them all", async () => {
    const server = new FakeServer();
    const doc = new Y.Doc();
    const made = provider(doc);
    const socket = await connected(server, made);
    expect(made.status).toBe("saved");

    doc.getText("t").insert(0, "a");
    doc.getText("t").insert(1, "b");
    expect(server.read(socket)).toEqual(["update", "update"]);
    expect(made.sent).toBe(3);
    expect(made.status).toBe("syncing");

    socket.deliver(server.saved(2));
    expect(made.status).toBe("syncing");
    socket.deliver(server.saved(3));
    expect(made.status).toBe("saved");
    expect(text(server.doc)).toBe("ab");
  });

  it("tells the page when the server says the comments changed", async () => {
    const made = provider();
    let told = 0;
    made.onComments(() => {
      told += 1;
    });
    await made.start();
    latest().accept();
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_COMMENTS);
    latest().deliver(encoding.toUint8Array(frame));
    expect(told).toBe(1);
  });

  it("does not send back what came from the server", async () => {
    const server = new FakeServer();
    const made = provider();
    const socket = await connected(server, made);
    server.doc.getText("t").insert(0, "theirs");
    socket.deliver(server.step2(Y.encodeStateVector(made.doc)));
    expect(text(made.doc)).toBe("theirs");
    expect(server.read(socket)).toEqual([]);
    expect(made.status).toBe("saved");
  });

  it("keeps the changes made offline and sends them in the next handshake, at once when online", async () => {
    const server = new FakeServer();
    const doc = new Y.Doc();
    const made = provider(doc);
    const first = await connected(server, made);

    doc.getText("t").insert(0, "sent ");
    server.read(first); // stored by the server, but the acknowledgement is lost with the socket
    first.drop();
    expect(made.status).toBe("offline");

    doc.getText("t").insert(5, "offline");
    expect(first.sent).toEqual([]);
    expect(made.status).toBe("offline");

    events.dispatchEvent(new Event("online"));
    expect(FakeSocket.instances).toHaveLength(2); // no wait for the back-off
    const second = latest();
    second.accept();
    expect(made.sent).toBe(0); // counted per connection
    second.deliver(server.step1());
    expect(server.read(second)).toEqual(["step1", "step2"]);
    expect(text(server.doc)).toBe("sent offline");
    second.deliver(server.step2(Y.encodeStateVector(doc)));
    expect(made.status).toBe("syncing");
    second.deliver(server.saved(1));
    expect(made.status).toBe("saved");
  });

  it("says offline at once when the browser loses the network", async () => {
    const made = provider();
    const socket = await connected(new FakeServer(), made);
    events.dispatchEvent(new Event("offline"));
    expect(made.status).toBe("offline");
    expect(socket.readyState).toBe(3);
  });

  it("reconnects after a growing delay", async () => {
    const made = provider();
    await made.start();
    latest().drop(); // refused before opening: the server is down
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
    latest().drop();
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2); // the second wait is longer (1.5 to 2 s)
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(3);
    made.destroy();
    latest().drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it("loads what the browser kept before connecting, and the handshake sends it", async () => {
    const server = new FakeServer();
    const kept = new Y.Doc();
    kept.getText("t").insert(0, "typed in a tab closed offline");
    let load!: () => void;
    const store = (_name: string, doc: Y.Doc): LocalStore => ({
      whenSynced: new Promise<void>((resolve) => {
        load = () => {
          Y.applyUpdate(doc, Y.encodeStateAsUpdate(kept), "indexeddb");
          resolve();
        };
      }),
      destroy: () => undefined,
    });
    const made = provider(new Y.Doc(), store);
    const started = made.start();
    await Promise.resolve();
    expect(FakeSocket.instances).toHaveLength(0); // not before the local copy is loaded
    load();
    await started;
    const socket = latest();
    socket.accept();
    socket.deliver(server.step1());
    expect(server.read(socket)).toEqual(["step1", "step2"]);
    expect(text(server.doc)).toBe("typed in a tab closed offline");
  });

  it("shows read-only when the server refuses an update, whatever it acknowledges after", async () => {
    const server = new FakeServer();
    const made = provider();
    const socket = await connected(server, made);
    made.doc.getText("t").insert(0, "forged");
    socket.deliver(denied());
    expect(made.status).toBe("read-only");
    socket.deliver(server.saved(2));
    expect(made.status).toBe("read-only");
    made.doc.getText("t").insert(0, "more");
    server.read(socket);
    expect(made.sent).toBe(2); // nothing more is sent
  });

  it("says a change too large was refused; discarding forgets what the browser kept", async () => {
    const server = new FakeServer();
    let cleared = 0;
    const made = provider(new Y.Doc(), () => ({
      whenSynced: Promise.resolve(),
      destroy: () => undefined,
      clearData: async () => {
        cleared += 1;
      },
    }));
    const socket = await connected(server, made);
    made.doc.getText("t").insert(0, "an enormous paste");
    socket.deliver(denied("too-large"));
    expect(made.status).toBe("too-large");
    expect(made.readOnly).toBe(false); // the page stays editable: what is typed is kept here
    const sent = made.sent;
    made.doc.getText("t").insert(0, "more ");
    expect(made.sent).toBe(sent); // kept here: it depends on the change the server refused
    socket.deliver(server.saved(3));
    expect(made.status).toBe("too-large");
    await made.discardUnsaved();
    expect(cleared).toBe(1);
    expect(socket.readyState).toBe(3); // stopped: the page reloads
  });

  it("stops retrying when the socket is closed because the person may not read", async () => {
    const made = provider();
    await made.start();
    latest().drop(4403);
    expect(made.status).toBe("refused");
    vi.advanceTimersByTime(60_000);
    events.dispatchEvent(new Event("online"));
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("asks again every 30 s, and replaces a socket whose answer does not come within 10 s", async () => {
    const server = new FakeServer();
    const made = provider();
    const socket = await connected(server, made);
    expect(made.status).toBe("saved");
    vi.advanceTimersByTime(30_000);
    expect(server.read(socket)).toEqual(["step1"]); // the heartbeat
    socket.deliver(server.step2());
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances).toHaveLength(1); // it answered: alive
    vi.advanceTimersByTime(20_000);
    expect(server.read(socket)).toEqual(["step1"]);
    vi.advanceTimersByTime(9_999);
    expect(made.status).toBe("saved");
    vi.advanceTimersByTime(1); // no step 2 came back: the socket is dead
    expect(made.status).toBe("offline");
    expect(socket.readyState).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
    const next = latest();
    next.accept();
    next.deliver(server.step1());
    next.deliver(server.step2());
    server.read(next);
    next.deliver(server.saved(server.stored));
    expect(made.status).toBe("saved");
  });

  it("does not stay syncing when the handshake's answer never comes", async () => {
    const made = provider();
    await made.start();
    latest().accept();
    expect(made.status).toBe("syncing");
    vi.advanceTimersByTime(10_000);
    expect(made.status).toBe("offline");
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});
