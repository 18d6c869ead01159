// The media of one meeting on Janus's VideoRoom: our camera and microphone published under
// the feed id Ensemble gave, an optional shared screen under a second id, and one subscriber
// connection that receives everyone's audio and the videos the page shows (paginated, at a
// simulcast layer that fits the tile). Talking events give the active speaker.
import type { JanusJS } from "janus-gateway";
import { accept, answer, attach, connect, offer, send, type Handle, type Jsep, type Message } from "./janus";

export interface MediaInfo {
  server: string;
  room: number;
  token: string;
  feed: number;
  screen_feed: number;
  display: string;
  ice_servers: RTCIceServer[];
}

export interface Publisher {
  feed: number;
  audioMid?: string;
  videoMid?: string;
}

export interface Wanted {
  feed: number;
  high: boolean; // the high simulcast layer (speaker, shared screen), else the low one
}

export interface MediaEvents {
  publishers: (publishers: Publisher[]) => void;
  track: (feed: number, kind: "audio" | "video", track: MediaStreamTrack | null) => void;
  localTrack: (track: MediaStreamTrack, on: boolean) => void;
  talking: (feed: number, talking: boolean) => void;
  lost: (reason: string) => void;
  kicked: () => void;
  screenEnded: () => void;
}

interface SubscribedStream {
  mid: string;
  feed_id: number;
  feed_mid: string;
  type: string;
  active?: boolean;
}

interface Settled {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function settled(): Settled {
  const result = {} as Settled;
  result.promise = new Promise<void>((resolve, reject) => Object.assign(result, { resolve, reject }));
  return result;
}

export class MediaRoom {
  private session: JanusJS.Janus | null = null;
  private publisher: Handle | null = null;
  private screen: Handle | null = null;
  private subscriber: Handle | null = null;
  private privateId = 0;
  private readonly publishers = new Map<number, Publisher>();
  private streams: SubscribedStream[] = [];
  private subscribed = new Set<string>(); // "feed/mid"
  private layers = new Map<string, number>(); // our mid -> substream asked
  private wanted: Wanted[] = [];
  private speaking: Set<number> | null = null; // feeds whose microphone is on (null: all)
  private updating = false;
  private again = false;
  private closed = false;
  private joined: Settled | null = null;
  private subscriberReady: Promise<void> | null = null;
  private subscriberStarted: (() => void) | null = null;

  constructor(
    private readonly info: MediaInfo,
    private readonly on: MediaEvents,
  ) {}

  /** Join the room and publish what we have (either may be missing). */
  async start(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): Promise<void> {
    this.session = await connect({
      server: this.info.server,
      token: this.info.token,
      iceServers: this.info.ice_servers,
      lost: (reason) => this.lose(reason),
    });
    this.publisher = await attach(this.session, {
      onmessage: (message, jsep) => void this.onPublisherMessage(message, jsep),
      onlocaltrack: (track, on) => this.on.localTrack(track, on),
      iceState: (state) => {
        if (state === "failed") this.lose("ice");
      },
    });
    const joined = settled();
    this.joined = joined;
    await send(this.publisher, {
      request: "join",
      ptype: "publisher",
      room: this.info.room,
      id: this.info.feed,
      display: this.info.display,
      token: this.info.token, // the room lets in only the tokens Ensemble gave its people
    });
    await joined.promise;
    const tracks: JanusJS.TrackOption[] = [];
    if (audio) tracks.push({ type: "audio", capture: audio, recv: false });
    if (video) tracks.push({ type: "video", capture: video, recv: false, simulcast: true });
    if (tracks.length) {
      const jsep = await offer(this.publisher, tracks);
      await send(this.publisher, { request: "publish" }, jsep);
    }
  }

  /** Our Janus session and publisher handle (Ensemble asks Janus about them). */
  get ids(): { janus_session: number; janus_handle: number } | null {
    if (!this.session || !this.publisher) return null;
    return { janus_session: this.session.getSessionId(), janus_handle: Number(this.publisher.getId()) };
  }

  setAudio(on: boolean): void {
    if (on) this.publisher?.unmuteAudio();
    else this.publisher?.muteAudio();
  }

  setVideo(on: boolean): void {
    if (on) this.publisher?.unmuteVideo();
    else this.publisher?.muteVideo();
  }

  /** Share a screen (a second publisher of ours); resolves once it is published. */
  async shareScreen(): Promise<void> {
    if (!this.session || this.screen) return;
    const joined = settled();
    const handle: Handle = await attach(this.session, {
      onmessage: (message, jsep) => {
        if (jsep) void accept(handle, jsep);
        if (message.videoroom === "joined") joined.resolve();
        else if (message.error_code) joined.reject(new Error(message.error));
      },
      onlocaltrack: (track, on) => {
        if (on) track.addEventListener("ended", () => void this.stopScreen());
      },
    });
    this.screen = handle;
    try {
      await send(handle, {
        request: "join",
        ptype: "publisher",
        room: this.info.room,
        id: this.info.screen_feed,
        display: this.info.display,
        token: this.info.token,
      });
      await joined.promise;
      const jsep = await offer(handle, [{ type: "screen", capture: true, recv: false }]);
      await send(handle, { request: "publish" }, jsep);
    } catch (error) {
      await this.stopScreen();
      throw error;
    }
  }

  async stopScreen(): Promise<void> {
    const handle = this.screen;
    if (!handle) return;
    this.screen = null;
    handle.hangup();
    await send(handle, { request: "leave" }).catch(() => undefined);
    handle.detach();
    this.on.screenEnded();
  }

  get sharing(): boolean {
    return this.screen !== null;
  }

  /** What the page shows: the videos to receive, and at which layer; and whose audio to
   * receive: everyone whose microphone is on (a large meeting of muted people costs nothing). */
  want(wanted: Wanted[], speaking: Set<number> | null = null): void {
    this.wanted = wanted;
    this.speaking = speaking;
    void this.update();
  }

  /** Inbound bytes and decoded video frames (for the connection indicator and the tests). */
  async stats(): Promise<{ audioBytes: number; videoBytes: number; framesDecoded: number }> {
    const result = { audioBytes: 0, videoBytes: 0, framesDecoded: 0 };
    const pc = this.subscriber?.webrtcStuff?.pc;
    if (!pc) return result;
    (await pc.getStats()).forEach((report) => {
      if (report.type !== "inbound-rtp") return;
      if (report.kind === "audio") result.audioBytes += report.bytesReceived ?? 0;
      if (report.kind === "video") {
        result.videoBytes += report.bytesReceived ?? 0;
        result.framesDecoded += report.framesDecoded ?? 0;
      }
    });
    return result;
  }

  close(): void {
    this.closed = true;
    this.joined?.reject(new Error("closed")); // a start() under way gives up
    this.subscriberStarted?.();
    if (this.publisher) void send(this.publisher, { request: "leave" }).catch(() => undefined);
    this.session?.destroy({ cleanupHandles: true, notifyDestroyed: false });
    this.session = null;
  }

  // ------------------------------------------------------------------ publisher events

  private lose(reason: string): void {
    if (this.closed) return;
    this.close();
    this.on.lost(reason);
  }

  private async onPublisherMessage(message: Message, jsep?: Jsep): Promise<void> {
    if (jsep && this.publisher) await accept(this.publisher, jsep);
    const kind = message.videoroom;
    if (kind === "joined") {
      this.privateId = message.private_id;
      this.addPublishers(message.publishers ?? []);
      this.joined?.resolve();
    } else if (kind === "talking" || kind === "stopped-talking") {
      this.on.talking(message.id, kind === "talking");
    } else if (kind === "destroyed") {
      this.lose("destroyed");
    } else if (kind === "event") {
      if (message.error_code) this.joined?.reject(new Error(message.error));
      if (message.publishers) this.addPublishers(message.publishers);
      const gone = message.unpublished ?? message.leaving;
      if (gone === "ok") {
        if (message.reason === "kicked") {
          this.closed = true;
          this.on.kicked();
        }
      } else if (gone !== undefined) {
        this.publishers.delete(gone);
        // Janus drops its streams from our subscription by itself.
        for (const key of [...this.subscribed]) if (key.startsWith(`${gone}/`)) this.subscribed.delete(key);
        this.on.publishers([...this.publishers.values()]);
        void this.update();
      }
    }
  }

  private addPublishers(list: { id: number; streams?: { type: string; mid: string; disabled?: boolean }[] }[]): void {
    for (const entry of list) {
      if (entry.id === this.info.feed || entry.id === this.info.screen_feed) continue;
      const publisher: Publisher = { feed: entry.id };
      for (const stream of entry.streams ?? []) {
        if (stream.disabled) continue;
        if (stream.type === "audio") publisher.audioMid ??= stream.mid;
        if (stream.type === "video") publisher.videoMid ??= stream.mid;
      }
      this.publishers.set(entry.id, publisher);
    }
    this.on.publishers([...this.publishers.values()]);
    void this.update();
  }

  // ------------------------------------------------------------------ subscriptions

  private target(): Map<string, { feed: number; mid: string }> {
    const target = new Map<string, { feed: number; mid: string }>();
    for (const publisher of this.publishers.values()) {
      if (this.speaking && !this.speaking.has(publisher.feed)) continue;
      if (publisher.audioMid) target.set(`${publisher.feed}/${publisher.audioMid}`, { feed: publisher.feed, mid: publisher.audioMid });
    }
    for (const { feed } of this.wanted) {
      const mid = this.publishers.get(feed)?.videoMid;
      if (mid) target.set(`${feed}/${mid}`, { feed, mid });
    }
    return target;
  }

  /** Bring the subscriber connection to what is wanted: one update at a time. */
  private async update(): Promise<void> {
    if (this.closed || !this.session || !this.privateId) return;
    if (this.updating) {
      this.again = true;
      return;
    }
    this.updating = true;
    try {
      do {
        this.again = false;
        const target = this.target();
        const add = [...target].filter(([key]) => !this.subscribed.has(key)).map(([, stream]) => stream);
        const drop = [...this.subscribed].filter((key) => !target.has(key));
        if (add.length || drop.length) await this.subscribe(add, drop);
        this.setLayers();
      } while (this.again && !this.closed);
    } catch (error) {
      console.warn("subscription update failed", error);
    } finally {
      this.updating = false;
    }
  }

  private async subscribe(add: { feed: number; mid: string }[], drop: string[]): Promise<void> {
    if (!this.subscriber) {
      if (!add.length) return;
      await this.attachSubscriber(add);
    } else {
      const unsubscribe = drop.map((key) => {
        const [feed, mid] = key.split("/");
        return { feed: Number(feed), mid };
      });
      const done = this.waitStarted();
      const update: Record<string, unknown> = { request: "update" };
      if (add.length) update.subscribe = add; // Janus refuses empty lists
      if (unsubscribe.length) update.unsubscribe = unsubscribe;
      await send(this.subscriber, update);
      await done;
    }
    for (const key of drop) this.subscribed.delete(key);
    for (const stream of add) this.subscribed.add(`${stream.feed}/${stream.mid}`);
  }

  private waitStarted(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.subscriberStarted = resolve;
      window.setTimeout(resolve, 10_000); // an update that changed nothing gets no offer
    });
  }

  private async attachSubscriber(streams: { feed: number; mid: string }[]): Promise<void> {
    if (!this.session) return;
    const handle = await attach(this.session, {
      onmessage: (message, jsep) => void this.onSubscriberMessage(message, jsep),
      onremotetrack: (track, mid, on) => this.onRemoteTrack(track, mid, on),
      iceState: (state) => {
        if (state === "failed") this.lose("ice");
      },
    });
    this.subscriber = handle;
    this.subscriberReady = this.waitStarted();
    await send(handle, {
      request: "join",
      ptype: "subscriber",
      room: this.info.room,
      private_id: this.privateId,
      streams,
      token: this.info.token,
    });
    await this.subscriberReady;
  }

  private async onSubscriberMessage(message: Message, jsep?: Jsep): Promise<void> {
    if (message.streams) this.streams = message.streams as SubscribedStream[];
    if (message.error_code) {
      console.warn("subscriber", message.error);
      this.subscriberStarted?.();
    }
    if (jsep && this.subscriber) {
      const local = await answer(this.subscriber, jsep);
      await send(this.subscriber, { request: "start" }, local);
      this.subscriberStarted?.();
    } else if (message.videoroom === "updated" || message.videoroom === "attached") {
      this.subscriberStarted?.();
    }
  }

  private onRemoteTrack(track: MediaStreamTrack, mid: string, on: boolean): void {
    const stream = this.streams.find((candidate) => candidate.mid === mid);
    if (!stream || (track.kind !== "audio" && track.kind !== "video")) return;
    this.on.track(stream.feed_id, track.kind, on ? track : null);
  }

  private setLayers(): void {
    if (!this.subscriber) return;
    const changes: { mid: string; substream: number }[] = [];
    for (const { feed, high } of this.wanted) {
      const video = this.streams.find((stream) => stream.feed_id === feed && stream.type === "video");
      const substream = high ? 2 : 0;
      if (video && this.layers.get(video.mid) !== substream) {
        this.layers.set(video.mid, substream);
        changes.push({ mid: video.mid, substream });
      }
    }
    if (changes.length) void send(this.subscriber, { request: "configure", streams: changes });
  }
}
