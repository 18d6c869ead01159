// The meeting page: check the devices, join (or wait to be let in), then the meeting: tiles
// in a grid or around the speaker, paginated; controls; people, hands, chat and moderation.
// Meeting state comes from the real-time stream (guests, who have no socket, poll the same
// events); media goes straight to Janus with the participant's own token.
import { ApiError } from "../api";
import { streamClient } from "../stream";
import { MeetApi, type Access, type Me, type Person, type WireEvent } from "./api";
import { Breakout } from "./breakout";
import { MeetingChat } from "./chat";
import { Blur } from "./blur";
import { copyText } from "./copy";
import { MediaRoom, type Publisher } from "./media";
import { fill, initials, Stage, type Strings } from "./stage";

const root = document.querySelector<HTMLElement>("[data-meet]");
const strings: Strings = JSON.parse(document.getElementById("meet-strings")?.textContent ?? "{}");
const $ = <T extends Element>(selector: string): T => root?.querySelector<T>(selector) as T;
const code = root?.dataset.code ?? "";
const signedIn = root?.dataset.signedIn === "1";
const muteAbove = Number(root?.dataset.muteAbove ?? 10);
const api = new MeetApi(code);

let me: Me | null = null;
let local: MediaStream | null = null;
let media: MediaRoom | null = null;
let micOn = true;
let cameraOn = true;
let handUp = false;
// Noise suppression (the browser's own audio processing, in the page): on unless turned off.
let quiet = localStorage.getItem("ensemble.meet.noiseSuppression") !== "off";
let sentAudio: MediaStreamTrack | null = null; // the copy of the microphone the meeting receives
// Background blur (segmentation in the page, see blur.ts): off unless turned on.
let blurred = localStorage.getItem("ensemble.meet.blur") === "on";
let blur: Blur | null = null;
let sentVideo: MediaStreamTrack | null = null; // the copy of the camera the meeting receives
let sentBlurred = false; // and whether it is the blurred one
let seq = 0;
const people = new Map<string, Person>();
const stage = new Stage($("[data-tiles]"), $("[data-pages]"), strings, Number(root?.dataset.pageSize ?? 9));
const chat = new MeetingChat(api, root ?? document.body, strings, signedIn);
const breakout = new Breakout(code, root ?? document.body, {
  myId: () => me?.id ?? null,
  moderates: () => me?.role === "host" || me?.role === "moderator",
  people: () => [...people.values()].filter((person) => person.state === "admitted"),
  move: async () => {
    if (!media) return; // not connected yet: it will connect to breakout.room()
    dropMedia();
    stage.clearRemote();
    await connectMedia();
    refreshOwners();
  },
  notice: (text) => notice(text),
  failure: (error) => failure(error),
});

function showError(message: string): void {
  const box = $<HTMLElement>("[data-error]");
  box.querySelector("p")!.textContent = message;
  box.hidden = !message;
}

function failure(error: unknown): string {
  return error instanceof ApiError ? error.message : strings.error;
}

// ---------------------------------------------------------------- before joining

async function preview(): Promise<void> {
  const camera = $<HTMLSelectElement>("[data-camera]");
  const microphone = $<HTMLSelectElement>("[data-microphone]");
  const note = $<HTMLElement>("[data-preview-note]");
  local?.getTracks().forEach((track) => track.stop());
  const constraints: MediaStreamConstraints = {
    audio: audioConstraints(microphone.value),
    video: camera.value ? { deviceId: { exact: camera.value } } : true,
  };
  try {
    local = await navigator.mediaDevices.getUserMedia(constraints);
    note.hidden = true;
  } catch {
    try {
      local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(microphone.value) }); // no camera
      note.textContent = strings.noCamera;
    } catch {
      local = null;
      note.textContent = strings.noDevices;
    }
    note.hidden = false;
  }
  await showCamera();
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  for (const [select, kind] of [
    [camera, "videoinput"],
    [microphone, "audioinput"],
  ] as const) {
    const chosen = local?.getTracks().find((track) => `${track.kind}input` === kind)?.getSettings().deviceId;
    select.replaceChildren(
      ...devices
        .filter((device) => device.kind === kind)
        .map((device, index) => new Option(device.label || `${kind} ${index + 1}`, device.deviceId, false, device.deviceId === chosen)),
    );
    select.disabled = !select.options.length;
  }
}

/** The microphone, cleaned by the browser: echo cancellation and gain control always, noise
 * suppression as the switch says. Nothing leaves the page for it. */
function audioConstraints(device: string): MediaTrackConstraints {
  return {
    ...(device ? { deviceId: { exact: device } } : {}),
    echoCancellation: true,
    autoGainControl: true,
    noiseSuppression: quiet,
  };
}

/** Turn noise suppression on or off, during the meeting too: Chromium sets a microphone's
 * processing when it is opened, so it is closed (every copy) and opened again, and the new
 * one is sent in its place. */
async function setQuiet(on: boolean): Promise<void> {
  quiet = on;
  localStorage.setItem("ensemble.meet.noiseSuppression", on ? "on" : "off");
  for (const element of root?.querySelectorAll<HTMLInputElement>("[data-noise]") ?? []) element.checked = on;
  pressed("[data-toggle-noise]", on);
  const old = local?.getAudioTracks()[0];
  if (!local || !old) return;
  const device = old.getSettings().deviceId ?? "";
  old.stop();
  sentAudio?.stop();
  local.removeTrack(old);
  const fresh = (await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(device) })).getAudioTracks()[0];
  local.addTrack(fresh);
  if (media && sentAudio) {
    const copy = fresh.clone();
    copy.enabled = micOn;
    await media.replaceAudio(copy);
    sentAudio = copy;
  }
}

/** The camera as the others see it: blurred when blur is on. */
function camera(): MediaStreamTrack | null {
  return blur?.track ?? local?.getVideoTracks()[0] ?? null;
}

/** Blur or not as the switch says (the camera may have changed), show it in the preview and
 * in one's own tile, and send it in place of what was sent. */
async function showCamera(): Promise<void> {
  blur?.stop();
  blur = null;
  const raw = local?.getVideoTracks()[0];
  if (blurred && raw) {
    try {
      blur = await Blur.start(raw, root?.dataset.blurFiles ?? "");
    } catch (error) {
      console.warn("background blur cannot run in this browser", error);
      const note = $<HTMLElement>("[data-preview-note]");
      note.textContent = strings.blurFailed;
      note.hidden = false;
      if (media) notice(strings.blurFailed);
      showBlur(false);
    }
  }
  const shown = camera();
  $<HTMLVideoElement>("[data-preview]").srcObject = shown ? new MediaStream([shown]) : local;
  if (media && sentVideo && shown) {
    const copy = shown.clone();
    copy.enabled = sentVideo.enabled;
    await media.replaceVideo(copy);
    sentVideo.stop();
    sentVideo = copy;
    sentBlurred = !!blur;
    if (cameraOn) stage.localVideo(copy, me?.id ?? "");
  }
}

function showBlur(on: boolean): void {
  blurred = on;
  for (const element of root?.querySelectorAll<HTMLInputElement>("[data-blur]") ?? []) element.checked = on;
  pressed("[data-toggle-blur]", on);
}

async function setBlur(on: boolean): Promise<void> {
  localStorage.setItem("ensemble.meet.blur", on ? "on" : "off");
  showBlur(on);
  await showCamera();
}

async function join(event: Event): Promise<void> {
  event.preventDefault();
  showError("");
  const name = root?.querySelector<HTMLInputElement>("#guest-name")?.value.trim() ?? "";
  if (!signedIn && !name) return showError(strings.nameNeeded);
  micOn = !$<HTMLInputElement>("[data-join-muted]").checked;
  cameraOn = !$<HTMLInputElement>("[data-join-camera-off]").checked;
  const button = $<HTMLButtonElement>("[data-join]");
  button.disabled = true;
  try {
    await follow(await api.join(name));
  } catch (error) {
    console.error("joining failed", error);
    showError(failure(error));
  } finally {
    button.disabled = false;
  }
}

/** Wait in the waiting room (asking every two seconds) until let in, refused or removed. */
async function follow(answer: Me): Promise<void> {
  me = answer;
  const waiting = $<HTMLElement>("[data-waiting]");
  while (me.state === "waiting") {
    waiting.hidden = false;
    waiting.textContent = strings.waiting;
    $<HTMLFormElement>("[data-join-form]").hidden = true;
    await sleep(2000);
    me = await api.me().catch(() => me!);
  }
  if (me.state === "admitted" && me.media) return enter();
  finish(me.state === "denied" ? strings.denied : me.state === "removed" ? strings.removed : strings.left);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => window.setTimeout(resolve, ms));

// ---------------------------------------------------------------- in the meeting

async function enter(): Promise<void> {
  $<HTMLElement>("[data-prejoin]").hidden = true;
  $<HTMLElement>("[data-room]").hidden = false;
  document.body.classList.add("ens-meet-on");
  stage.me(me!.id, me!.media?.feed ?? 0, null); // one's own tile is known as such from the start
  const known = await api.peopleAt();
  for (const person of known.people) people.set(person.id, person);
  if (people.size > muteAbove && micOn) {
    micOn = false;
    notice(strings.mutedOnJoin);
  }
  const meeting = await api.meeting();
  showMeeting(meeting.locked, meeting.recording);
  showAccess(meeting.access);
  followStream(known.seq);
  renderPeople();
  await breakout.load().catch((error) => console.warn("breakout rooms failed to load", error));
  await connectMedia();
}

/** Join the media with the place Ensemble gave; false if it was lost again meanwhile. */
async function connectMedia(): Promise<boolean> {
  if (!me?.media) return false;
  const room: MediaRoom = new MediaRoom({ ...me.media, room: breakout.room() ?? me.media.room }, {
    publishers: (list) => publishersChanged(list),
    track: (feed, kind, track) => stage.track(feed, kind, track),
    localTrack: (track, on) => {
      if (track.kind === "video") stage.localVideo(on ? track : null, me!.id);
    },
    talking: (feed, talking) => stage.talking(feed, talking),
    lost: (reason) => {
      if (media !== room) return; // an earlier connection, already replaced
      console.info(`media connection lost (${reason}): reconnecting`);
      void reconnect();
    },
    kicked: () => finish(strings.removed),
    screenEnded: () => showSharing(),
  });
  media = room;
  // Copies: janus.js stops the tracks it was given when its connection goes, and the
  // camera and microphone must outlive a reconnection.
  const audio = local?.getAudioTracks()[0]?.clone() ?? null;
  sentAudio = audio;
  const video = camera()?.clone() ?? null;
  sentVideo = video;
  sentBlurred = !!blur;
  await room.start(audio, video);
  if (media !== room) return false;
  room.setAudio(micOn && !!audio);
  room.setVideo(cameraOn && !!video);
  micOn &&= !!audio;
  cameraOn &&= !!video;
  pressed("[data-toggle-mic]", micOn);
  pressed("[data-toggle-camera]", cameraOn);
  stage.me(me.id, me.media.feed, video && cameraOn ? video : null);
  refreshOwners();
  showSharing(); // a new connection shares nothing yet
  void api.devices(micOn, cameraOn, room.ids).catch(() => undefined);
  $<HTMLElement>("[data-offline]").hidden = true;
  return true;
}

function dropMedia(): void {
  media?.close();
  media = null;
  showSharing(); // a screen shared went with the connection
}

/** The share button says what is true: sharing only while our screen is published. */
function showSharing(): void {
  const sharing = media?.sharing ?? false;
  const share = $<HTMLElement>("[data-toggle-screen]");
  pressed("[data-toggle-screen]", sharing);
  share.textContent = share.title = sharing ? strings.stopSharing : strings.share;
}

let reconnecting = false;
/** The media connection dropped (network cut, Janus restarted): get a fresh place and token
 * from Ensemble (which places the meeting again if its Janus went away) and join again,
 * until it holds. */
async function reconnect(): Promise<void> {
  dropMedia();
  if (reconnecting || !me) return;
  reconnecting = true;
  stage.clearRemote();
  const offline = $<HTMLElement>("[data-offline]");
  offline.textContent = strings.reconnecting;
  offline.hidden = false;
  for (let attempt = 0; ; attempt++) {
    await sleep(Math.min(10_000, 1000 * 2 ** Math.min(attempt, 4)));
    try {
      me = await api.me();
      if (me.state !== "admitted") {
        reconnecting = false;
        return me.state === "removed" ? finish(strings.removed) : gone();
      }
      me = await api.join(""); // the same place, or the meeting placed again (Janus restarted)
      if (await connectMedia()) break;
    } catch (error) {
      dropMedia();
      offline.textContent = error instanceof ApiError && error.status === 503 ? strings.mediaFailed : strings.reconnecting;
      console.warn("reconnect failed", error);
    }
  }
  reconnecting = false;
}

function publishersChanged(list: Publisher[]): void {
  breakout.publishing(list.map((publisher) => publisher.feed));
  stage.publishing(list.map((publisher) => publisher.feed));
  refreshOwners();
}

/** Which person (and whether a screen) each Janus feed is; new feeds make us ask again. */
function refreshOwners(): void {
  const owners = new Map<number, { person: Person; screen: boolean }>();
  for (const person of people.values()) {
    if (person.state !== "admitted") continue;
    if (person.feed) owners.set(person.feed, { person, screen: false });
    if (person.screen_feed) owners.set(person.screen_feed, { person, screen: true });
  }
  stage.owners(owners, [...people.values()].filter((person) => person.state === "admitted" && breakout.here(person)));
  media?.want(stage.wanted(), speaking());
}

/** The camera feeds of people whose microphone is on: the only audio worth receiving. */
function speaking(): Set<number> {
  const feeds = [...people.values()].filter((person) => person.state === "admitted" && person.microphone && person.feed);
  return new Set(feeds.map((person) => person.feed!));
}

stage.onchange = () => media?.want(stage.wanted(), speaking());

// ---------------------------------------------------------------- meeting state

/** Follow the meeting from ``from`` (where its stream stood when the people were read). */
function followStream(from: number): void {
  if (!me?.media) return;
  const stream = me.media.stream;
  chat.start(() => me?.state === "admitted").catch((error) => console.warn("the meeting chat failed to load", error));
  if (signedIn) {
    streamClient().follow(stream, from, (event) => onEvent(event));
    streamClient().onstatus((connected) => {
      if (connected) void reloadPeople();
    });
    return;
  }
  // Guests: the same events, asked for every two seconds.
  void (async () => {
    seq = from;
    while (me?.state === "admitted") {
      await sleep(2000);
      try {
        const page = await api.events(seq);
        for (const event of page.events) onEvent(event);
        seq = page.events.length ? page.events[page.events.length - 1].seq : Math.max(seq, page.seq);
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) return void reconnect();
      }
    }
  })();
}

let changes = 0; // participant events seen: a list asked for before the latest one is stale

async function reloadPeople(): Promise<void> {
  let list: Person[] | null = null;
  for (let seen = -1; seen !== changes; ) {
    seen = changes;
    list = await api.people().catch(() => null);
    if (!list) return;
  }
  if (!list) return;
  people.clear();
  for (const person of list) people.set(person.id, person);
  renderPeople();
  refreshOwners();
}

function onEvent(event: WireEvent): void {
  const payload = event.payload;
  switch (event.event) {
    case "meet.participant.changed": {
      changes += 1;
      const id = String(payload.id);
      const known = people.get(id);
      if (id === me?.id && payload.state === "removed" && !reconnecting) return finish(strings.removed);
      if (id === me?.id && payload.state === "left" && !reconnecting) return void gone();
      if (!known || known.state !== payload.state) {
        void reloadPeople(); // someone new, or their feeds changed: the list has them
        return;
      }
      Object.assign(known, {
        display_name: payload.name,
        role: payload.role,
        microphone: payload.microphone,
        camera: payload.camera,
      });
      if (id === me?.id && me) me.role = known.role;
      renderPeople();
      refreshOwners();
      return;
    }
    case "meet.hand.changed": {
      const person = people.get(String(payload.id));
      if (person) person.hand_raised_at = (payload.raised_at as string | null) ?? null;
      if (payload.raised_at && payload.id !== me?.id) notice(fill(strings.handUp, { name: String(payload.name) }));
      renderPeople();
      return;
    }
    case "meet.mute.requested":
      if ((payload.ids as string[]).includes(me?.id ?? "")) {
        setMic(false);
        notice(fill(strings.mutedBy, { name: String(payload.by) }));
      }
      return;
    case "meet.reaction":
      // Kept on the stream: one caught up after a reconnection is old news, not shown.
      if (Math.abs(Date.now() - Date.parse(String(payload.at))) < 30_000) react(String(payload.name), String(payload.emoji));
      return;
    case "meet.breakout.changed":
    case "meet.breakout.message":
      return breakout.onEvent(event.event, payload);
    case "meet.meeting.updated":
      if (payload.ended) return finish(strings.ended, true);
      showMeeting(Boolean(payload.locked), Boolean(payload.recording));
      if (typeof payload.access === "string") showAccess(payload.access as Access);
      return;
  }
}

/** Who may join, as hosts and moderators see and change it. */
function showAccess(access: Access): void {
  const select = $<HTMLSelectElement>("[data-access]");
  select.value = access;
  select.dataset.current = access;
}

async function changeAccess(): Promise<void> {
  const select = $<HTMLSelectElement>("[data-access]");
  const access = select.value as Access;
  select.disabled = true;
  try {
    showAccess((await api.access(access)).access);
    notice(fill(strings.accessChanged, { access: select.selectedOptions[0]?.textContent ?? access }));
  } catch (error) {
    select.value = select.dataset.current ?? access; // refused: as it was
    notice(failure(error));
  } finally {
    select.disabled = false;
  }
}

function showMeeting(locked: boolean, recording: boolean): void {
  $<HTMLElement>("[data-locked]").hidden = !locked;
  $<HTMLElement>("[data-recording]").hidden = !recording;
  $<HTMLElement>("[data-recording]").title = strings.recordingOn;
  pressed("[data-lock]", locked);
  pressed("[data-record]", recording);
  $<HTMLElement>("[data-lock]").textContent = locked ? strings.unlock : strings.lock;
  $<HTMLElement>("[data-record]").textContent = recording ? strings.stopRecording : strings.startRecording;
  const moderates = me?.role === "host" || me?.role === "moderator";
  if (recording && !moderates) notice(strings.recordingOn);
}

// ---------------------------------------------------------------- people and moderation

function renderPeople(): void {
  const moderates = me?.role === "host" || me?.role === "moderator";
  $<HTMLElement>("[data-moderation]").hidden = !moderates;
  $<HTMLElement>("[data-end]").hidden = !moderates;
  const inside = [...people.values()].filter((person) => person.state === "admitted");
  const waiting = [...people.values()].filter((person) => person.state === "waiting");
  const hands = inside.filter((person) => person.hand_raised_at).sort((a, b) => a.hand_raised_at!.localeCompare(b.hand_raised_at!));
  inside.sort((a, b) => (hands.indexOf(a) + 1 || 1e9) - (hands.indexOf(b) + 1 || 1e9));

  const list = $<HTMLOListElement>("[data-people]");
  list.replaceChildren(...inside.map((person) => personItem(person, moderates, hands.indexOf(person) + 1)));
  const waitingList = $<HTMLUListElement>("[data-waiting-list]");
  waitingList.replaceChildren(...(moderates ? waiting.map((person) => waitingItem(person, "waitingPerson")) : []));
  knock(moderates ? waiting : []);
  $<HTMLElement>("[data-waiting-title]").hidden = !waiting.length;
  $<HTMLElement>("[data-admit-all]").hidden = waiting.length < 2;
  const count = $<HTMLElement>("[data-waiting-count]");
  count.hidden = !(moderates && waiting.length);
  count.textContent = String(waiting.length);
  count.title = fill(strings.waitingCount, { n: waiting.length });
  const badge = $<HTMLElement>("[data-side-badge]");
  badge.hidden = count.hidden;
  badge.textContent = count.textContent;
  badge.title = count.title;
  stage.status(inside);
  breakout.refresh(); // the breakout panel lists the same people
}

/** Someone waits to be let in: moderators are told at once, wherever they are on the page,
 * with the buttons to let them in or not (the first few; the panel has everyone). */
function knock(waiting: Person[]): void {
  const box = $<HTMLElement>("[data-knock]");
  box.hidden = !waiting.length;
  if (!waiting.length) return;
  $<HTMLElement>("[data-knock-text]").textContent =
    waiting.length === 1 ? fill(strings.waitingOne, { name: waiting[0].display_name }) : fill(strings.waitingMany, { n: waiting.length });
  $<HTMLElement>("[data-knock-list]").replaceChildren(...waiting.slice(0, 3).map((person) => waitingItem(person, "knockPerson")));
  $<HTMLElement>("[data-knock-all]").hidden = waiting.length < 2;
}

function personItem(person: Person, moderates: boolean, hand: number): HTMLLIElement {
  const item = document.createElement("li");
  item.className = "ens-meet__person";
  item.dataset.person = person.id;
  const avatar = Object.assign(document.createElement("span"), { className: "ens-meet__initials", textContent: initials(person.display_name) });
  const name = document.createElement("span");
  name.className = "ens-meet__person-name";
  name.textContent = person.id === me?.id ? fill(strings.you, { name: person.display_name }) : person.display_name;
  item.append(avatar, name);
  const role = person.role === "host" ? strings.host : person.role === "moderator" ? strings.moderator : person.guest ? strings.guest : "";
  if (role) item.append(Object.assign(document.createElement("span"), { className: "fr-badge fr-badge--sm fr-badge--no-icon", textContent: role }));
  if (hand) {
    const badge = Object.assign(document.createElement("span"), { className: "fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon", textContent: `✋ ${hand}` });
    badge.dataset.hand = String(hand);
    item.append(badge);
  }
  if (!person.microphone) {
    const muted = Object.assign(document.createElement("span"), { className: "fr-icon-volume-mute-line ens-meet__muted", title: strings.muted });
    muted.dataset.muted = "";
    muted.setAttribute("aria-label", strings.muted);
    item.append(muted);
  }
  if (moderates && person.id !== me?.id && person.role !== "host") {
    const tools = document.createElement("span");
    tools.className = "ens-meet__person-tools";
    if (person.microphone) tools.append(button(strings.mute, () => api.mute(person.id), "mute"));
    if (!person.guest) {
      const promote = person.role === "moderator" ? "participant" : "moderator";
      tools.append(button(promote === "moderator" ? strings.promote : strings.demote, () => api.role(person.id, promote), "role"));
    }
    tools.append(
      button(strings.remove, async () => {
        if (window.confirm(fill(strings.confirmRemove, { name: person.display_name }))) await api.moderate(person.id, "remove");
      }, "remove"),
    );
    item.append(tools);
  }
  return item;
}

function waitingItem(person: Person, mark: "waitingPerson" | "knockPerson"): HTMLLIElement {
  const item = document.createElement("li");
  item.className = "ens-meet__person";
  item.dataset[mark] = person.id;
  item.append(Object.assign(document.createElement("span"), { className: "ens-meet__person-name", textContent: person.display_name }));
  const tools = document.createElement("span");
  tools.className = "ens-meet__person-tools";
  tools.append(button(strings.admit, () => api.moderate(person.id, "admit"), "admit"), button(strings.deny, () => api.moderate(person.id, "deny"), "deny"));
  item.append(tools);
  return item;
}

function button(label: string, act: () => Promise<unknown>, name: string): HTMLButtonElement {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "fr-btn fr-btn--sm fr-btn--tertiary";
  element.textContent = label;
  element.dataset.action = name;
  element.addEventListener("click", () => {
    element.disabled = true;
    act()
      .catch((error) => notice(failure(error)))
      .finally(() => (element.disabled = false));
  });
  return element;
}

// ---------------------------------------------------------------- controls

function pressed(selector: string, on: boolean): void {
  $<HTMLElement>(selector)?.setAttribute("aria-pressed", String(on));
}

function setMic(on: boolean): void {
  if (on && !local?.getAudioTracks().length) return;
  micOn = on;
  media?.setAudio(on);
  pressed("[data-toggle-mic]", on);
  $<HTMLElement>("[data-toggle-mic]").classList.toggle("fr-icon-volume-mute-line", !on);
  void api.devices(micOn, cameraOn).catch(() => undefined);
}

function setCamera(on: boolean): void {
  if (on && !local?.getVideoTracks().length) return;
  cameraOn = on;
  media?.setVideo(on);
  pressed("[data-toggle-camera]", on);
  stage.localVideo(on ? (sentVideo ?? camera()) : null, me?.id ?? "");
  void api.devices(micOn, cameraOn).catch(() => undefined);
}

function notice(text: string): void {
  const box = $<HTMLElement>("[data-reactions]");
  const item = Object.assign(document.createElement("p"), { className: "ens-meet__notice", textContent: text });
  box.append(item);
  window.setTimeout(() => item.remove(), 6000);
}

function react(name: string, emoji: string): void {
  const box = $<HTMLElement>("[data-reactions]");
  const item = Object.assign(document.createElement("p"), { className: "ens-meet__reaction", textContent: `${emoji} ${name}` });
  item.dataset.reaction = emoji;
  box.append(item);
  window.setTimeout(() => item.remove(), 4000);
}

/** The meeting is over for this page: a meeting that has ended cannot be joined again. */
/** Out of the meeting without having left it: everyone leaves a meeting that ends (its
 * media room goes first), and the page says that it ended, not that one left. */
async function gone(): Promise<void> {
  const meeting = await api.meeting().catch(() => null);
  finish(meeting?.ended_at ? strings.ended : strings.left, Boolean(meeting?.ended_at));
}

let over = false; // the meeting has ended: nothing said afterwards changes that

function finish(message: string, ended = false): void {
  if (over) return;
  over = ended;
  if (me) me.state = "left";
  dropMedia();
  blur?.stop();
  local?.getTracks().forEach((track) => track.stop());
  $<HTMLElement>("[data-prejoin]").hidden = true;
  $<HTMLElement>("[data-room]").hidden = true;
  $<HTMLElement>("[data-after]").hidden = false;
  $<HTMLElement>("[data-after-title]").textContent = message;
  $<HTMLElement>("[data-rejoin]").hidden = ended;
  document.body.classList.remove("ens-meet-on");
}

function selectTab(name: string): void {
  for (const other of root?.querySelectorAll<HTMLButtonElement>("[data-tab]") ?? []) {
    const selected = other.dataset.tab === name;
    other.setAttribute("aria-selected", String(selected));
    $<HTMLElement>(`[data-panel=${other.dataset.tab}]`).classList.toggle("fr-tabs__panel--selected", selected);
  }
  if (name === "chat") chat.opened();
}

function openPanel(name: string): void {
  $<HTMLElement>("[data-side]").hidden = false;
  pressed("[data-toggle-side]", true);
  selectTab(name);
}

function wire(): void {
  $<HTMLFormElement>("[data-join-form]")?.addEventListener("submit", (event) => void join(event));
  for (const select of ["[data-camera]", "[data-microphone]"]) $<HTMLSelectElement>(select)?.addEventListener("change", () => void preview());
  $("[data-toggle-mic]").addEventListener("click", () => setMic(!micOn));
  $("[data-toggle-camera]").addEventListener("click", () => setCamera(!cameraOn));
  $("[data-toggle-screen]").addEventListener("click", () => {
    if (!media) return;
    if (media.sharing) return void media.stopScreen().finally(showSharing);
    const sharing = media.shareScreen().finally(showSharing);
    showSharing(); // "stop sharing" while the browser asks which screen
    sharing.catch((error) => console.info("screen not shared", error));
  });
  $("[data-toggle-hand]").addEventListener("click", () => {
    handUp = !handUp;
    pressed("[data-toggle-hand]", handUp);
    api.hand(handUp).catch((error) => notice(failure(error)));
  });
  for (const element of root?.querySelectorAll<HTMLButtonElement>("[data-react]") ?? []) {
    element.addEventListener("click", () => {
      api.react(element.dataset.react ?? "").catch((error) => notice(failure(error)));
    });
  }
  $("[data-toggle-side]").addEventListener("click", () => {
    const side = $<HTMLElement>("[data-side]");
    side.hidden = !side.hidden;
    pressed("[data-toggle-side]", !side.hidden);
    chat.opened();
  });
  for (const tab of root?.querySelectorAll<HTMLButtonElement>("[data-tab]") ?? []) {
    tab.addEventListener("click", () => selectTab(tab.dataset.tab ?? "people"));
  }
  $<HTMLFormElement>("[data-chat-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>("[data-chat-text]");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    chat.send(text).catch((error) => {
      input.value ||= text; // not sent: given back to edit or send again
      notice(failure(error));
    });
  });
  for (const element of root?.querySelectorAll<HTMLButtonElement>("[data-layout]") ?? []) {
    element.addEventListener("click", () => {
      stage.layout(element.dataset.layout === "speaker" ? "speaker" : "grid");
      for (const other of root?.querySelectorAll<HTMLButtonElement>("[data-layout]") ?? []) other.setAttribute("aria-pressed", String(other === element));
    });
  }
  for (const selector of ["[data-admit-all]", "[data-knock-all]"])
    $(selector).addEventListener("click", () => void api.admitAll().then(reloadPeople).catch((error) => notice(failure(error))));
  $("[data-knock-open]").addEventListener("click", () => openPanel("people"));
  $("[data-access]").addEventListener("change", () => void changeAccess());
  for (const element of root?.querySelectorAll<HTMLButtonElement>("[data-copy]") ?? []) {
    element.addEventListener("click", () => {
      void copyText(element.dataset.copy ?? "").then((copied) => {
        notice(copied ? fill(strings.copied, { what: element.dataset.copy ?? "" }) : strings.copyFailed);
        element.classList.toggle("ens-meet__copied", copied);
        window.setTimeout(() => element.classList.remove("ens-meet__copied"), 2000);
      });
    });
  }
  for (const element of root?.querySelectorAll<HTMLInputElement>("[data-noise]") ?? []) {
    element.checked = quiet;
    element.addEventListener("change", () => void setQuiet(element.checked).catch((error) => notice(failure(error))));
  }
  pressed("[data-toggle-noise]", quiet);
  $("[data-toggle-noise]").addEventListener("click", () => void setQuiet(!quiet).catch((error) => notice(failure(error))));
  showBlur(blurred);
  for (const element of root?.querySelectorAll<HTMLInputElement>("[data-blur]") ?? []) {
    element.addEventListener("change", () => void setBlur(element.checked).catch((error) => notice(failure(error))));
  }
  $("[data-toggle-blur]").addEventListener("click", () => void setBlur(!blurred).catch((error) => notice(failure(error))));
  $("[data-mute-all]").addEventListener("click", () => void api.mute(null).catch((error) => notice(failure(error))));
  $("[data-lock]").addEventListener("click", () => {
    const locked = $<HTMLElement>("[data-lock]").getAttribute("aria-pressed") !== "true";
    api.lock(locked).then((meeting) => showMeeting(meeting.locked, meeting.recording)).catch((error) => notice(failure(error)));
  });
  $("[data-record]").addEventListener("click", () => {
    const on = $<HTMLElement>("[data-record]").getAttribute("aria-pressed") !== "true";
    api.record(on).then((meeting) => showMeeting(meeting.locked, meeting.recording)).catch((error) => notice(failure(error)));
  });
  $("[data-leave]").addEventListener("click", () => {
    void api.leave().catch(() => undefined);
    finish(strings.left);
  });
  // A closed tab leaves the meeting (coming back within minutes skips the waiting room).
  window.addEventListener("pagehide", () => {
    if (me?.state === "admitted") api.leaveNow();
  });
  $("[data-end]").addEventListener("click", () => {
    if (window.confirm(strings.confirmEnd)) api.end().then(() => finish(strings.ended, true)).catch((error) => notice(failure(error)));
  });
}

// Diagnostics for the connection indicator and the end-to-end tests.
declare global {
  interface Window {
    ensembleMeet?: {
      stats: () => Promise<{ audioBytes: number; videoBytes: number; framesDecoded: number }>;
      audio: () => MediaTrackSettings | null;
      blur: () => { frames: number; sent: string | null };
    };
  }
}
window.ensembleMeet = {
  stats: () => media?.stats() ?? Promise.resolve({ audioBytes: 0, videoBytes: 0, framesDecoded: 0 }),
  audio: () => (sentAudio ?? local?.getAudioTracks()[0])?.getSettings() ?? null, // what the meeting hears
  blur: () => ({ frames: blur?.frames ?? 0, sent: sentVideo ? (sentBlurred ? "canvas" : "camera") : null }), // what the meeting sees
};

if (root && !root.querySelector("[data-join-form]")?.closest("[hidden]")) {
  wire();
  if (root.querySelector("[data-join-form]")) {
    void preview();
    // Back in a tab that was in the meeting (a reload): straight back in. Only someone who
    // has a place asks for it (the server says so: a guest's key is not readable here).
    if (root.dataset.returning === "1")
      api
        .me()
        .then((answer) => (answer.state === "admitted" && answer.media ? follow(answer) : undefined))
        .catch(() => undefined);
  }
}
