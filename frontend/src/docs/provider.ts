// The document's connection to the server (docs.md, "The document socket"): Yjs sync and
// awareness in the y-websocket framing, plus our `saved n` acknowledgements, so the page can say
// truthfully whether every change is stored. Our own provider rather than y-websocket's because
// the status depends on counting the frames this connection sent and the server acknowledged.
// The document is also kept in IndexedDB (y-indexeddb) and loaded before the first connection:
// what was typed offline, even in a tab since closed, goes to the server in the next handshake.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { IndexeddbPersistence } from "y-indexeddb";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import type * as Y from "yjs";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_SAVED = 100;
/** Someone wrote, changed, resolved or deleted a comment: read them again. */
export const MESSAGE_COMMENTS = 101;
/** The socket's close codes for "not signed in", "may not read" and "no such document": retrying cannot help. */
export const REFUSED_CODES = [4401, 4403, 4404];
const OPEN = 1; // WebSocket.OPEN, read from no global so that tests may pass their own socket


/** What the page tells the person: "saved" only when the server acknowledged every change. */
export type Status = "saved" | "syncing" | "offline" | "read-only" | "refused" | "too-large";

/** Where the document is kept in the browser (y-indexeddb, or a stand-in in tests). */
export interface LocalStore {
  whenSynced: Promise<unknown>;
  destroy(): Promise<void> | void;
  /** Forget what this browser kept of the document. */
  clearData?(): Promise<void>;
}

export interface ProviderOptions {
  /** The socket's URL, or its path on this site (/ws/docs/<id>/). */
  url: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  /** The IndexedDB database's name; one per document. */
  storeName: string;
  /** Replaced in tests. */
  WebSocket?: typeof WebSocket;
  store?: (name: string, doc: Y.Doc) => LocalStore;
  /** Where `online` and `offline` are heard (the window). */
  events?: EventTarget;
  /** Reconnection delays, doubled from first to most (ms). */
  minDelay?: number;
  maxDelay?: number;
  /** While connected, a sync step 1 every ``heartbeat`` ms; a socket whose step 2 does not come
   * back within ``answerWithin`` ms is dead (a proxy or a sleeping laptop dropped it silently). */
  heartbeat?: number;
  answerWithin?: number;
}

/** A full URL from a path on this site, in ws: or wss: like the page. */
export function socketUrl(url: string, place: Location = location): string {
  if (/^wss?:/.test(url)) return url;
  const scheme = place.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${place.host}${url}`;
}

export class DocProvider {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  /** Sync step 2 and update frames sent on this connection, and how many the server stored. */
  sent = 0;
  acknowledged = 0;
  readOnly = false;
  refused = false;
  /** The server refused a change as too large. Every later change depends on it (and undo
   * keeps it, for redo): nothing more is saved until the person discards what is unsaved. */
  tooLarge = false;

  private socket: WebSocket | null = null;
  private open = false;
  /** This connection answered the server's step 1 and received its step 2. */
  private answered = false;
  private received = false;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private store: LocalStore | null = null;
  private listeners: ((status: Status) => void)[] = [];
  private commentListeners: (() => void)[] = [];
  private last: Status = "offline";
  private readonly options: Required<Omit<ProviderOptions, "doc" | "awareness">>;

  constructor(options: ProviderOptions) {
    this.doc = options.doc;
    this.awareness = options.awareness;
    this.options = {
      url: options.url,
      storeName: options.storeName,
      WebSocket: options.WebSocket ?? WebSocket,
      store: options.store ?? ((name, doc) => new IndexeddbPersistence(name, doc)),
      events: options.events ?? window,
      minDelay: options.minDelay ?? 500,
      maxDelay: options.maxDelay ?? 30_000,
      heartbeat: options.heartbeat ?? 30_000,
      answerWithin: options.answerWithin ?? 10_000,
    };
    this.doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.options.events.addEventListener("online", this.onOnline);
    this.options.events.addEventListener("offline", this.onOffline);
  }

  /** Load what this browser kept of the document, then connect (the handshake sends it). */
  async start(): Promise<void> {
    try {
      this.store = this.options.store(this.options.storeName, this.doc);
      await this.store.whenSynced;
    } catch (error) {
      // Without IndexedDB (private browsing, quota) the page still works online.
      console.warn("The document cannot be kept in this browser:", error);
    }
    if (!this.stopped) this.connect();
  }

  get status(): Status {
    if (this.refused) return "refused";
    if (this.readOnly) return "read-only";
    if (!this.open) return "offline";
    if (this.tooLarge) return "too-large";
    if (!this.answered || !this.received || this.acknowledged < this.sent) return "syncing";
    return "saved";
  }

  /** Call ``listener`` whenever the server says the comments changed. */
  onComments(listener: () => void): void {
    this.commentListeners.push(listener);
  }

  /** Call ``listener`` with each new status (and at once with the current one). */
  onStatus(listener: (status: Status) => void): void {
    this.listeners.push(listener);
    listener(this.last);
  }

  destroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopBeating();
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "destroy");
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.options.events.removeEventListener("online", this.onOnline);
    this.options.events.removeEventListener("offline", this.onOffline);
    this.socket?.close();
    void this.store?.destroy();
  }

  /** Open a socket now (cancelling a planned retry), unless one is open or opening. */
  connect(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.refused || this.socket) return;
    const socket = new this.options.WebSocket(socketUrl(this.options.url));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (event: MessageEvent) => {
      if (socket === this.socket) this.receive(new Uint8Array(event.data as ArrayBuffer));
    };
    socket.onclose = (event: CloseEvent) => this.closed(socket, event.code);
    socket.onerror = () => undefined; // onclose follows
  }

  private opened(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.open = true;
    this.sent = 0;
    this.acknowledged = 0;
    this.answered = false;
    this.received = false;
    // Our step 1 asks for what we lack; the server's step 1 gets our step 2 in `receive`.
    this.sendStep1();
    if (this.awareness.getLocalState() !== null) {
      this.send(this.awarenessFrame([this.doc.clientID]));
    }
    this.beat = setInterval(() => this.sendStep1(), this.options.heartbeat);
    this.emit();
  }

  /** Ask the server for what we lack; its step 2 must come back in time, or the socket is dead
   * and is replaced (without this, a silently dropped socket would say "Syncing…" for ever). */
  private sendStep1(): void {
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(step1, this.doc);
    if (!this.send(encoding.toUint8Array(step1)) || this.deadline !== undefined) return;
    const socket = this.socket;
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (!socket || socket !== this.socket) return;
      this.closed(socket, 4000);
      socket.close();
    }, this.options.answerWithin);
  }

  private stopBeating(): void {
    clearInterval(this.beat);
    clearTimeout(this.deadline);
    this.beat = undefined;
    this.deadline = undefined;
  }

  private closed(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopBeating();
    const wasOpen = this.open;
    this.open = false;
    // The others' cursors are not known any more; the server tells them we left.
    const others = [...this.awareness.getStates().keys()].filter((client) => client !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    if (REFUSED_CODES.includes(code)) this.refused = true;
    if (wasOpen && this.answered) this.attempts = 0;
    this.emit();
    if (!this.stopped && !this.refused) this.retryLater();
  }

  /** Forget the changes the server does not have: stop, and clear what this browser kept (the
   * page then reloads the document from the server). */
  async discardUnsaved(): Promise<void> {
    const store = this.store;
    this.destroy();
    try {
      await store?.clearData?.();
    } catch (error) {
      console.warn("What this browser kept could not be cleared:", error);
    }
  }

  private retryLater(): void {
    const delay = Math.min(this.options.maxDelay, this.options.minDelay * 2 ** this.attempts);
    this.attempts += 1;
    // Up to a quarter less, so that the clients of a restarted server do not all come back at once.
    this.timer = setTimeout(() => this.connect(), delay * (1 - Math.random() / 4));
  }

  private onOnline = (): void => {
    this.attempts = 0;
    this.connect();
  };

  /** The browser knows the network is gone: say so now rather than when the socket times out. */
  private onOffline = (): void => {
    const socket = this.socket;
    if (!socket) return;
    this.closed(socket, 1006);
    socket.close();
  };

  private receive(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const kind = decoding.readVarUint(decoder);
    if (kind === MESSAGE_SYNC) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_SYNC);
      const step = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
      if (step === syncProtocol.messageYjsSyncStep1) {
        this.sendCounted(encoding.toUint8Array(reply)); // our step 2: what the server lacks
        this.answered = true;
      } else if (step === syncProtocol.messageYjsSyncStep2) {
        this.received = true;
        clearTimeout(this.deadline); // the socket is alive
        this.deadline = undefined;
      }
    } else if (kind === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    } else if (kind === MESSAGE_AUTH) {
      if (decoding.readVarUint(decoder) === 0) {
        const reason = decoding.hasContent(decoder) ? decoding.readVarString(decoder) : "";
        if (reason === "too-large") this.tooLarge = true;
        else this.readOnly = true;
      }
    } else if (kind === MESSAGE_QUERY_AWARENESS) {
      this.send(this.awarenessFrame([...this.awareness.getStates().keys()]));
    } else if (kind === MESSAGE_SAVED) {
      this.acknowledged = Math.max(this.acknowledged, decoding.readVarUint(decoder));
    } else if (kind === MESSAGE_COMMENTS) {
      for (const listener of this.commentListeners) listener();
    }
    this.emit();
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return; // it came from the server
    // Offline, the update waits in the document (and IndexedDB): the next handshake sends it.
    // After a refusal as too large, later changes depend on the refused one: they stay here.
    if (!this.open || this.readOnly || this.tooLarge) {
      this.emit();
      return;
    }
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeUpdate(frame, update);
    this.sendCounted(encoding.toUint8Array(frame));
    this.emit();
  };

  private onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this || !this.open) return;
    const clients = [...changes.added, ...changes.updated, ...changes.removed];
    this.send(this.awarenessFrame(clients));
  };

  private awarenessFrame(clients: number[]): Uint8Array {
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(frame, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    return encoding.toUint8Array(frame);
  }

  /** Send a frame the server counts (sync step 2 or update) and later acknowledges. */
  private sendCounted(frame: Uint8Array): void {
    if (this.send(frame)) this.sent += 1;
  }

  private send(frame: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || !this.open || socket.readyState !== OPEN) return false;
    socket.send(frame);
    return true;
  }

  private emit(): void {
    const status = this.status;
    if (status === this.last) return;
    this.last = status;
    for (const listener of this.listeners) listener(status);
  }
}
