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
  private waiter: { done: () => boolean; resolve: () => void } | null = null;
  private negotiation: Promise<void> = Promise.resolve(); // one offer answered at a time
  private retry = 0; // a timer that tries the subscription again
  private retryDelay = 750;
  private readonly remote = new Map<string, MediaStreamTrack>(); // our mid -> track received
  private readonly shownAs = new Map<string, { feed: number; kind: "audio" | "video"; track: MediaStreamTrack }>(); // our mid -> as shown

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

  /** Send another microphone track in place of the one sent (noise suppression changed). */
  async replaceAudio(track: MediaStreamTrack): Promise<void> {
    const sender = this.publisher?.webrtcStuff?.pc?.getSenders().find((candidate) => candidate.track?.kind === "audio");
    await sender?.replaceTrack(track);
  }

  /** Send another camera track in place of the one sent (background blur changed). */
  async replaceVideo(track: MediaStreamTrack): Promise<void> {
    const sender = this.publisher?.webrtcStuff?.pc?.getSenders().find((candidate) => candidate.track?.kind === "video");
    await sender?.replaceTrack(track);
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
    this.waiter?.resolve();
    window.clearTimeout(this.retry);
    this.screen = null; // gone with the session: nothing is shared any more
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

  /** Bring the subscriber connection to what is wanted: one update at a time. What is
   * subscribed is what Janus last said it sends (its ``streams``), never what was asked: an
   * update Janus could not apply (a screen announced before it could be subscribed to, an
   * offer crossed by another) is asked again a moment later, until the page has it. */
  private async update(): Promise<void> {
    if (this.closed || !this.session || !this.privateId) return;
    if (this.updating) {
      this.again = true;
      return;
    }
    this.updating = true;
    window.clearTimeout(this.retry);
    let missing = false;
    try {
      for (let round = 0; round < 5; round++) {
        this.again = false;
        const target = this.target();
        const add = [...target].filter(([key]) => !this.subscribed.has(key)).map(([, stream]) => stream);
        const drop = [...this.subscribed].filter((key) => !target.has(key));
        if (add.length || drop.length) await this.subscribe(add, drop);
        this.setLayers();
        missing = [...target.keys()].some((key) => !this.subscribed.has(key));
        if (this.closed || !this.again) break;
      }
    } catch (error) {
      console.warn("subscription update failed", error);
      missing = true;
    } finally {
      this.updating = false;
    }
    this.retryDelay = missing ? Math.min(10_000, this.retryDelay * 2) : 750;
    if (missing && !this.closed) this.retry = window.setTimeout(() => void this.update(), this.retryDelay);
  }

  private async subscribe(add: { feed: number; mid: string }[], drop: string[]): Promise<void> {
    const keys = add.map((stream) => `${stream.feed}/${stream.mid}`);
    const applied = (): boolean => keys.every((key) => this.subscribed.has(key)) && drop.every((key) => !this.subscribed.has(key));
    if (!this.subscriber) {
      if (add.length) await this.attachSubscriber(add, applied);
      return;
    }
    const unsubscribe = drop.map((key) => {
      const [feed, mid] = key.split("/");
      return { feed: Number(feed), mid };
    });
    const update: Record<string, unknown> = { request: "update" };
    if (add.length) update.subscribe = add; // Janus refuses empty lists
    if (unsubscribe.length) update.unsubscribe = unsubscribe;
    const done = this.until(applied);
    await send(this.subscriber, update);
    await done;
  }

  /** Resolves once Janus's streams (and the answer to its offer) show ``done``, on an error,
   * or after ten seconds (an update that changed nothing gets no offer). */
  private until(done: () => boolean): Promise<void> {
    this.waiter?.resolve();
    return new Promise<void>((resolve) => {
      const timer = window.setTimeout(finish, 10_000);
      const waiter = { done, resolve: finish };
      this.waiter = waiter;
      function finish(): void {
        window.clearTimeout(timer);
        resolve();
      }
    });
  }

  private attachSubscriber(streams: { feed: number; mid: string }[], applied: () => boolean): Promise<void> {
    const session = this.session;
    if (!session) return Promise.resolve();
    const done = this.until(applied);
    return attach(session, {
      onmessage: (message, jsep) => this.onSubscriberMessage(message, jsep),
      onremotetrack: (track, mid, on, metadata) => this.onRemoteTrack(track, mid, on, metadata?.reason),
      iceState: (state) => {
        if (state === "failed") this.lose("ice");
      },
    })
      .then((handle) => {
        this.subscriber = handle;
        return send(handle, {
          request: "join",
          ptype: "subscriber",
          room: this.info.room,
          private_id: this.privateId,
          streams,
          token: this.info.token,
        });
      })
      .then(() => done);
  }

  private onSubscriberMessage(message: Message, jsep?: Jsep): void {
    if (message.error_code) {
      console.warn("subscriber", message.error);
      this.waiter?.resolve(); // refused: what is subscribed has not changed
      return;
    }
    const streams = message.streams as SubscribedStream[] | undefined;
    // Offers are answered in the order they came, one at a time (Janus may send one of its
    // own, when a publisher leaves, while ours is under way); the streams they describe count
    // once answered.
    this.negotiation = this.negotiation
      .then(async () => {
        if (jsep && this.subscriber && !this.closed) {
          const local = await answer(this.subscriber, jsep);
          await send(this.subscriber, { request: "start" }, local);
        }
        if (streams) this.received(streams);
      })
      .catch((error) => {
        console.warn("subscriber negotiation failed", error);
        this.waiter?.resolve();
      });
  }

  /** What Janus sends us now: the subscription, and each track shown as its feed's. */
  private received(streams: SubscribedStream[]): void {
    this.streams = streams;
    this.subscribed = new Set(streams.filter((stream) => stream.active !== false && stream.feed_id).map((stream) => `${stream.feed_id}/${stream.feed_mid}`));
    for (const [mid, track] of this.remote) this.show(mid, track);
    const waiter = this.waiter;
    if (waiter?.done()) waiter.resolve();
  }

  private onRemoteTrack(track: MediaStreamTrack, mid: string, on: boolean, reason?: string): void {
    if (track.kind !== "audio" && track.kind !== "video") return;
    // A track without packets for a while (a still screen) keeps its last picture: it is gone
    // only when it ends or Janus stops sending it (received()).
    if (!on && reason === "mute") return;
    if (on) this.remote.set(mid, track);
    else this.remote.delete(mid);
    this.show(mid, on ? track : null);
  }

  /** Tell the page which feed a track of ours is (a mid Janus reused is another feed's). */
  private show(mid: string, track: MediaStreamTrack | null): void {
    const stream = this.streams.find((candidate) => candidate.mid === mid && candidate.active !== false);
    const before = this.shownAs.get(mid);
    const feed = track && stream ? stream.feed_id : undefined;
    if (before && before.feed === feed && before.track === track) return; // nothing new
    if (before) {
      this.shownAs.delete(mid);
      this.on.track(before.feed, before.kind, null);
    }
    if (feed !== undefined && track && (track.kind === "audio" || track.kind === "video")) {
      this.shownAs.set(mid, { feed, kind: track.kind, track });
      this.on.track(feed, track.kind, track);
    }
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
