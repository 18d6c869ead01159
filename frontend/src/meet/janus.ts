// Promises over janus.js for the VideoRoom plugin: a session on Ensemble's Janus (with the
// participant's own token), handles, requests answered by an event, and SDP negotiation.
import Janus, { type JanusJS } from "janus-gateway";
import adapter from "webrtc-adapter";

export type Handle = JanusJS.PluginHandle;
export type Jsep = JanusJS.JSEP;
export type Message = JanusJS.Message;

let ready: Promise<void> | null = null;

function init(): Promise<void> {
  ready ??= new Promise((resolve) => {
    Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: resolve });
  });
  return ready;
}

export interface SessionOptions {
  server: string;
  token: string;
  iceServers: RTCIceServer[];
  /** The connection to Janus is lost (network cut, Janus restarted). */
  lost: (reason: string) => void;
}

export async function connect(options: SessionOptions): Promise<JanusJS.Janus> {
  await init();
  return new Promise((resolve, reject) => {
    let opened = false;
    const session: JanusJS.Janus = new Janus({
      server: options.server,
      token: options.token,
      iceServers: options.iceServers,
      destroyOnUnload: true,
      success: () => {
        opened = true;
        resolve(session);
      },
      error: (error: unknown) => {
        if (opened) options.lost(String(error));
        else reject(new Error(String(error)));
      },
    });
  });
}

export type Callbacks = Omit<JanusJS.PluginOptions, "plugin" | "success" | "error">;

export function attach(session: JanusJS.Janus, callbacks: Callbacks): Promise<Handle> {
  return new Promise((resolve, reject) => {
    session.attach({
      plugin: "janus.plugin.videoroom",
      ...callbacks,
      success: resolve,
      error: (error: string) => reject(new Error(error)),
    });
  });
}

/** Send a request to the plugin (its answer comes as an event, through onmessage). */
export function send(handle: Handle, message: Record<string, unknown>, jsep?: Jsep): Promise<void> {
  return new Promise((resolve, reject) => {
    handle.send({
      message: message as JanusJS.PluginMessage["message"],
      jsep,
      success: () => resolve(),
      error: (error: string) => reject(new Error(error)),
    });
  });
}

export function offer(handle: Handle, tracks: JanusJS.TrackOption[]): Promise<Jsep> {
  return new Promise((resolve, reject) => {
    handle.createOffer({ tracks, success: resolve, error: reject });
  });
}

export function answer(handle: Handle, jsep: Jsep, tracks: JanusJS.TrackOption[] = []): Promise<Jsep> {
  return new Promise((resolve, reject) => {
    handle.createAnswer({ jsep, tracks, success: resolve, error: (error: string) => reject(new Error(error)) });
  });
}

export function accept(handle: Handle, jsep: Jsep): Promise<void> {
  return new Promise((resolve, reject) => {
    handle.handleRemoteJsep({ jsep, success: () => resolve(), error: (error: string) => reject(new Error(error)) });
  });
}
