// Headless Yjs editors for bench/docs.py: the same clients against Ensemble (its document
// socket, y-websocket framing plus "saved") and against Hocuspocus (its own provider).
// Usage: node clients.mjs OPTIONS.json; prints progress lines, then one line of JSON.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { HocuspocusProvider } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

const options = JSON.parse(readFileSync(process.argv[2], "utf8"));
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SAVED = 100;

// One editor of Ensemble's socket: the handshake, updates counted and acknowledged.
class EnsembleEditor {
  constructor(doc, id) {
    this.doc = doc;
    this.sent = 0;
    this.saved = 0;
    this.synced = false;
    this.socket = new WebSocket(`${options.base}/ws/docs/${id}/`, { origin: options.origin });
    this.socket.binaryType = "arraybuffer";
    this.socket.on("open", () => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeSyncStep1(encoder, doc);
      this.socket.send(encoding.toUint8Array(encoder));
    });
    this.socket.on("message", (data) => this.receive(new Uint8Array(data)));
    doc.on("update", (update, origin) => {
      if (origin === this) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeUpdate(encoder, update);
      this.sent += 1;
      this.socket.send(encoding.toUint8Array(encoder));
    });
  }

  receive(data) {
    const decoder = decoding.createDecoder(data);
    const kind = decoding.readVarUint(decoder);
    if (kind === 0) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (step === 0) {
        this.sent += 1; // our step 2 answers the server's step 1
        this.socket.send(encoding.toUint8Array(encoder));
      } else if (step === 1) {
        this.synced = true;
      }
    } else if (kind === SAVED) {
      this.saved = decoding.readVarUint(decoder);
    }
  }

  get idle() {
    return this.synced && this.saved >= this.sent;
  }

  close() {
    this.socket.close();
  }
}

class HocuspocusEditor {
  constructor(doc, id) {
    this.doc = doc;
    this.synced = false;
    this.provider = new HocuspocusProvider({
      url: options.base,
      name: id,
      document: doc,
      WebSocketPolyfill: WebSocket,
      onSynced: () => {
        this.synced = true;
      },
    });
  }

  get idle() {
    return this.synced && this.provider.unsyncedChanges === 0;
  }

  close() {
    this.provider.destroy();
  }
}

const Editor = options.kind === "ensemble" ? EnsembleEditor : HocuspocusEditor;

async function until(test, ms, what) {
  const deadline = now() + ms;
  while (!test()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function words(count, seed) {
  const vocabulary = ["administration", "agent", "budget", "service", "réunion", "projet", "note",
    "décision", "commune", "ministère", "dossier", "usager", "rapport", "équipe", "calendrier"];
  const out = [];
  for (let i = 0; i < count; i += 1) out.push(vocabulary[(i * 7 + seed) % vocabulary.length]);
  return out;
}

// A document of `count` words in paragraphs of 50, as the editor stores it.
function fill(doc, count) {
  const fragment = doc.getXmlFragment("default");
  doc.transact(() => {
    const all = words(count, 3);
    const paragraphs = [];
    for (let i = 0; i < all.length; i += 50) {
      const paragraph = new Y.XmlElement("paragraph");
      paragraph.insert(0, [new Y.XmlText(all.slice(i, i + 50).join(" "))]);
      paragraphs.push(paragraph);
    }
    fragment.insert(0, paragraphs);
  });
}

function textOf(doc) {
  return doc.getXmlFragment("default").toString();
}

// The whole document as Yjs encodes it (every item, deleted ones included), hashed: equal
// hashes are byte-identical documents.
function bytesOf(doc) {
  return createHash("sha256").update(Y.encodeStateAsUpdate(doc)).digest("hex");
}

async function open(id) {
  const doc = new Y.Doc();
  const editor = new Editor(doc, id);
  await until(() => editor.synced, 120000, `the sync of ${id}`);
  return editor;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measureOpen() {
  const times = [];
  for (let i = 0; i < options.repeat; i += 1) {
    const start = now();
    const editor = await open(options.docs[0]);
    times.push(now() - start);
    if (!textOf(editor.doc).length) throw new Error("the document opened empty");
    editor.close();
    await sleep(300);
  }
  return { open_ms: times };
}

async function prefill() {
  for (const id of options.docs) {
    const editor = await open(id);
    if (!textOf(editor.doc).length) fill(editor.doc, options.words);
    await until(() => editor.idle, 120000, `the prefill of ${id}`);
    editor.close();
  }
  return {};
}

async function typing() {
  const editors = [];
  for (const id of options.docs) {
    for (let e = 0; e < options.editors; e += 1) editors.push({ id, editor: await open(id) });
  }
  console.log("opened");
  const sentAt = new Map();
  const latencies = [];
  let measuring = false;
  for (const { editor } of editors) {
    const mine = editor.doc.clientID;
    editor.doc.on("update", (update, origin) => {
      if (origin === null || origin === undefined) return; // our own typing
      const at = now();
      for (const struct of Y.decodeUpdate(update).structs) {
        if (struct.id.client === mine) continue;
        for (let c = 0; c < struct.length; c += 1) {
          const sent = sentAt.get(`${struct.id.client}:${struct.id.clock + c}`);
          if (sent !== undefined && measuring) latencies.push(at - sent);
        }
      }
    });
  }
  const period = 1000 / options.rate;
  const stopAt = now() + (options.warmup + options.seconds) * 1000;
  let typed = 0;
  const typists = editors.map(({ editor }, index) => (async () => {
    await sleep((index * 37) % period);
    let n = 0;
    while (now() < stopAt) {
      const fragment = editor.doc.getXmlFragment("default");
      const paragraph = fragment.get(n % Math.max(1, Math.min(fragment.length, 20)));
      const text = paragraph && paragraph.get(0);
      if (text instanceof Y.XmlText) {
        const clock = Y.getState(editor.doc.store, editor.doc.clientID);
        sentAt.set(`${editor.doc.clientID}:${clock}`, now());
        text.insert(Math.floor(Math.random() * (text.length + 1)), "x");
        typed += 1;
      }
      n += 1;
      await sleep(period);
    }
  })());
  await sleep(options.warmup * 1000);
  measuring = true;
  console.log("measure start");
  await sleep(options.seconds * 1000);
  console.log("measure end");
  measuring = false;
  await Promise.all(typists);
  await until(() => editors.every(({ editor }) => editor.idle), 60000, "every update acknowledged");
  // Every editor of a document ends with the same text.
  const byDoc = new Map();
  for (const { id, editor } of editors) {
    if (!byDoc.has(id)) byDoc.set(id, []);
    byDoc.get(id).push(editor);
  }
  const finals = {};
  let diverged = 0;
  const deadline = now() + 30000;
  for (const [id, group] of byDoc) {
    while (new Set(group.map((e) => bytesOf(e.doc))).size > 1 && now() < deadline) await sleep(50);
    if (new Set(group.map((e) => bytesOf(e.doc))).size > 1) diverged += 1;
    finals[id] = bytesOf(group[0].doc);
  }
  for (const { editor } of editors) editor.close();
  latencies.sort((a, b) => a - b);
  return {
    typed,
    latencies: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? null,
    diverged,
    finals,
  };
}

async function verify() {
  let differ = 0;
  for (const [id, expected] of Object.entries(options.finals)) {
    const editor = await open(id);
    if (bytesOf(editor.doc) !== expected) differ += 1;
    editor.close();
  }
  return { stored_differ: differ };
}

const modes = { open: measureOpen, prefill, typing, verify };
const result = await modes[options.mode]();
// Exit once the answer is written: a pipe takes it in parts, and exit() would cut it.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
