"""Benchmark: meetings on Janus, on this machine, with light synthetic clients.

Each client is what a browser does, without the browser: it joins through Ensemble's real
join flow (POST /api/v1/meet/meetings/<code>/join/ as a guest of a public meeting), opens a
Janus session with the token it got, publishes its microphone (and, for a few, a camera) and
subscribes to the cameras and the voices of the people speaking, as the meeting page does.
Clients are aiortc peer connections whose received frames are counted, not decoded (decoding
would measure this script, not Janus), spread over worker processes. Cameras are 320x240 at
15 frames/s (a thumbnail's worth); microphones are silence, the two speakers' too.

Measured:
  (a) join time: request -> first video frame received, for joiners arriving one by one;
  (b) CPU of Janus and of Ensemble (web server + worker) per publisher and per subscriber,
      from /proc, while the meeting grows by steps; packet loss seen by the subscribers;
  (c) the largest meeting held at < 1% loss, and the extrapolation per core of Janus.

    make bench-meet                  # as root: runs inside scripts/media-netns
    scripts/media-netns .venv/bin/python bench/meet.py [--videos 4] [--step 10] [--max 80]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiortc.rtcrtpreceiver
import av
import requests
import websockets
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaStreamError

from ensemble.core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
TICKS = os.sysconf("SC_CLK_TCK")
MEASURE_SECONDS = 10


# ---------------------------------------------------------------------- received frames


def counting_worker(loop: Any, source: Any, target: Any, error: Any) -> None:
    """Stands in for aiortc's decoder thread: hands each complete encoded frame to the
    track undecoded (the receiving side of a meeting is Janus's work, not ours)."""
    while (task := source.get()) is not None:
        asyncio.run_coroutine_threadsafe(target.put(task[1]), loop)
    asyncio.run_coroutine_threadsafe(target.put(None), loop)


aiortc.rtcrtpreceiver.decoder_worker = counting_worker  # type: ignore[assignment]


# ---------------------------------------------------------------------- synthetic media


class Camera(MediaStreamTrack):
    """A camera: 320x240, 15 frames per second, a grey picture with a moving patch of noise
    (VP8 makes a thumbnail's bitrate of it, like the low simulcast layer)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.start = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        self.count += 1
        await asyncio.sleep(max(0.0, self.start + self.count / 15 - time.monotonic()))
        frame = av.VideoFrame(320, 240, "yuv420p")
        luma = bytearray(b"\x80" * frame.planes[0].buffer_size)
        width = frame.planes[0].line_size
        x = (self.count * 4) % (320 - 48)
        for row in range(96, 144):
            luma[row * width + x : row * width + x + 48] = os.urandom(48)
        frame.planes[0].update(bytes(luma))
        for plane in frame.planes[1:]:
            plane.update(b"\x80" * plane.buffer_size)
        frame.pts, frame.time_base = self.count * 6000, fractions.Fraction(1, 90000)
        return frame


class Silence(MediaStreamTrack):
    """A microphone: 20 ms of silence at a time, in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.start = time.monotonic()

    async def recv(self) -> av.AudioFrame:
        self.count += 1
        await asyncio.sleep(max(0.0, self.start + self.count * 0.02 - time.monotonic()))
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(bytes(1920))
        frame.sample_rate, frame.pts = 48000, self.count * 960
        frame.time_base = fractions.Fraction(1, 48000)
        return frame


# ---------------------------------------------------------------------- a participant


class Janus:
    """One Janus session over its WebSocket, as janus.js opens it."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.events: dict[int, asyncio.Queue[dict[str, Any]]] = {}

    async def open(self) -> None:
        self.socket = await websockets.connect(self.url, subprotocols=["janus-protocol"])  # type: ignore[list-item]
        self.reader = asyncio.create_task(self.read())
        self.session = (await self.call({"janus": "create"}))["data"]["id"]
        self.keeper = asyncio.create_task(self.keepalive())

    async def read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if message.get("janus") == "ack":
                continue
            waiter = self.waiting.pop(message.get("transaction", ""), None)
            if waiter and not waiter.done() and message.get("janus") != "event":
                waiter.set_result(message)
            elif "sender" in message:
                self.events.setdefault(message["sender"], asyncio.Queue()).put_nowait(message)

    async def call(self, body: dict[str, Any]) -> dict[str, Any]:
        transaction = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[transaction] = future
        body = {**body, "transaction": transaction, "token": self.token}
        if hasattr(self, "session"):
            body.setdefault("session_id", self.session)
        await self.socket.send(json.dumps(body))
        answer = await asyncio.wait_for(future, 30)
        if answer.get("janus") == "error":
            raise RuntimeError(answer["error"])
        return answer

    async def keepalive(self) -> None:
        while True:
            await asyncio.sleep(25)
            await self.socket.send(
                json.dumps(
                    {
                        "janus": "keepalive",
                        "session_id": self.session,
                        "transaction": "k",
                        "token": self.token,
                    }
                )
            )

    async def attach(self) -> int:
        handle = (await self.call({"janus": "attach", "plugin": "janus.plugin.videoroom"}))["data"][
            "id"
        ]
        self.events[handle] = asyncio.Queue()
        return int(handle)

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> None:
        request: dict[str, Any] = {"janus": "message", "handle_id": handle, "body": body}
        if jsep:
            request["jsep"] = jsep
        transaction = uuid.uuid4().hex
        await self.socket.send(
            json.dumps(
                {
                    **request,
                    "transaction": transaction,
                    "session_id": self.session,
                    "token": self.token,
                }
            )
        )

    async def event(self, handle: int, wanted: str) -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(self.events[handle].get(), 30)
            data = message.get("plugindata", {}).get("data", {})
            if "error" in data:
                raise RuntimeError(data["error"])
            if data.get("videoroom") == wanted or wanted in data:
                return message

    async def close(self) -> None:
        self.keeper.cancel()
        await self.socket.close()
        self.reader.cancel()


def sdp(description: Any) -> dict[str, str]:
    return {"type": description.type, "sdp": description.sdp}


class Participant:
    def __init__(self, base: str, code: str, name: str) -> None:
        self.base, self.code, self.name = base, code, name
        self.frames = {"audio": 0, "video": 0}
        self.first_video: float | None = None
        self.pcs: list[RTCPeerConnection] = []

    async def join(self) -> None:
        self.asked = time.monotonic()
        answer = await asyncio.to_thread(
            requests.post,
            f"{self.base}/api/v1/meet/meetings/{self.code}/join/",
            json={"name": self.name},
            timeout=30,
        )
        answer.raise_for_status()
        self.media = answer.json()["media"]
        self.janus = Janus(self.media["server"], self.media["token"])
        await self.janus.open()

    async def publish(self, video: bool) -> dict[str, Any]:
        handle = await self.janus.attach()
        await self.janus.message(
            handle,
            {
                "request": "join",
                "ptype": "publisher",
                "room": self.media["room"],
                "id": self.media["feed"],
                "display": self.name,
            },
        )
        joined = (await self.janus.event(handle, "joined"))["plugindata"]["data"]
        self.private_id = joined["private_id"]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        pc.addTrack(Silence())
        if video:
            pc.addTrack(Camera())
        await pc.setLocalDescription(await pc.createOffer())
        await self.janus.message(handle, {"request": "publish"}, sdp(pc.localDescription))
        answer = await self.janus.event(handle, "configured")
        await pc.setRemoteDescription(RTCSessionDescription(**answer["jsep"]))
        return dict(joined)

    async def subscribe(self, streams: list[dict[str, Any]]) -> None:
        handle = await self.janus.attach()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        pc.on("track", lambda track: asyncio.ensure_future(self.count(track)))
        await self.janus.message(
            handle,
            {
                "request": "join",
                "ptype": "subscriber",
                "room": self.media["room"],
                "private_id": self.private_id,
                "streams": streams,
            },
        )
        offer = await self.janus.event(handle, "attached")
        await pc.setRemoteDescription(RTCSessionDescription(**offer["jsep"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.janus.message(handle, {"request": "start"}, sdp(pc.localDescription))

    async def count(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if frame is None:
                return
            self.frames[track.kind] += 1
            if track.kind == "video" and self.first_video is None:
                self.first_video = time.monotonic()

    async def packets(self) -> tuple[int, int]:
        received = lost = 0
        for pc in self.pcs:
            for report in (await pc.getStats()).values():
                if report.type == "inbound-rtp":
                    received += report.packetsReceived
                    lost += max(0, report.packetsLost)
        return received, lost

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()
        await self.janus.close()


# ---------------------------------------------------------------------- the servers


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except (FileNotFoundError, IndexError):
            pass
    return total


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        if children.exists():
            todo += [int(child) for child in children.read_text().split()]
    return found


def janus_pid(data: Path) -> int:
    output = subprocess.run(
        ["pgrep", "-f", f"janus -C {data}"], capture_output=True, text=True, check=False
    ).stdout
    return int(output.split()[0])


class Suite:
    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ENSEMBLE_DATA_DIR": str(data),
            "SITE_URL": self.base,
            "JANUS_HTTP_PORT": str(free_port()),
            "JANUS_ADMIN_PORT": str(free_port()),
            "JANUS_WS_PORT": str(free_port()),
            "MEET_MAX_PARTICIPANTS": "500",
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        self.log = (data.parent / "serve.log").open("w")
        subprocess.run(
            [PYTHON, "-m", "ensemble.cli", "manage", "migrate", "-v0"],
            env=self.env,
            check=True,
            cwd=ROOT,
        )
        self.process = subprocess.Popen(
            [PYTHON, "-m", "ensemble.cli", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{self.base}/healthz", timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and self.process.poll() is None, (
                    "the suite did not start"
                )
                time.sleep(0.3)
        time.sleep(2)
        self.janus = janus_pid(data / "janus" / "conf")
        self.ensemble = [pid for pid in tree(self.process.pid) if pid != self.janus]

    def meeting(self) -> str:
        code = (
            "from ensemble.accounts.models import User\n"
            "from ensemble.meet.actions import create_meeting\n"
            "host = User.objects.create_user(\n"
            "    'host@bench.fr', 'bench password long enough', full_name='Host')\n"
            "print(create_meeting(host, 'Bench', access='public', lobby=False).code)"
        )
        done = subprocess.run(
            [PYTHON, "-m", "ensemble.cli", "manage", "shell", "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# ---------------------------------------------------------------------- client processes


def client_process(connection: Any) -> None:
    """A worker process of participants: it adds them when told, and reports their packets."""
    asyncio.run(serve_clients(connection))


async def serve_clients(connection: Any) -> None:
    people: list[Participant] = []
    while True:
        command, arguments = await asyncio.to_thread(connection.recv)
        if command == "add":
            base, code, streams, names = arguments
            for name in names:
                person = Participant(base, code, name)
                await person.join()
                await person.publish(video=False)
                await person.subscribe(streams)
                people.append(person)
            connection.send(len(people))
        elif command == "packets":
            counts = [await person.packets() for person in people]
            received, lost = sum(r for r, _ in counts), sum(x for _, x in counts)
            connection.send((received, lost, time.process_time()))
        else:
            for person in people:
                await person.close()
            connection.send(None)
            return


class Workers:
    """Client processes, forked before any event loop runs."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.pipes = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            context.Process(target=client_process, args=(theirs,), daemon=True).start()
            self.pipes.append(ours)

    def __len__(self) -> int:
        return len(self.pipes)

    async def ask(self, index: int, command: str, arguments: Any = None) -> Any:
        self.pipes[index].send((command, arguments))
        return await asyncio.to_thread(self.pipes[index].recv)

    async def packets(self) -> tuple[int, int, float]:
        answers = await asyncio.gather(*(self.ask(i, "packets") for i in range(len(self))))
        return sum(a[0] for a in answers), sum(a[1] for a in answers), sum(a[2] for a in answers)

    async def add(self, base: str, code: str, streams: list[Any], names: list[str]) -> None:
        shares = [names[i :: len(self)] for i in range(len(self))]
        await asyncio.gather(
            *(self.ask(i, "add", (base, code, streams, share)) for i, share in enumerate(shares))
        )

    async def stop(self) -> None:
        await asyncio.gather(*(self.ask(i, "stop") for i in range(len(self))))


# ---------------------------------------------------------------------- the scenario


async def totals(people: list[Participant], workers: Workers) -> tuple[int, int, float]:
    mine = [await person.packets() for person in people]
    received, lost, cpu = await workers.packets()
    return (
        received + sum(r for r, _ in mine),
        lost + sum(x for _, x in mine),
        cpu + time.process_time(),
    )


async def measure(suite: Suite, people: list[Participant], workers: Workers) -> dict[str, float]:
    before = await totals(people, workers)
    janus0, ensemble0 = cpu_seconds([suite.janus]), cpu_seconds(suite.ensemble)
    t0 = time.monotonic()
    await asyncio.sleep(MEASURE_SECONDS)
    elapsed = time.monotonic() - t0
    after = await totals(people, workers)
    received, lost = after[0] - before[0], after[1] - before[1]
    return {
        "janus_cpu": 100 * (cpu_seconds([suite.janus]) - janus0) / elapsed,
        "ensemble_cpu": 100 * (cpu_seconds(suite.ensemble) - ensemble0) / elapsed,
        "clients_cpu": 100 * (after[2] - before[2]) / elapsed,
        "packets_per_s": received / elapsed,
        "loss_percent": 100 * lost / max(1, received + lost),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def summarise(
    options: argparse.Namespace,
    empty: dict[str, float],
    idle: dict[str, float],
    rows: list[tuple[int, dict[str, float]]],
) -> None:
    held = [(n, r) for n, r in rows if r["loss_percent"] < 1]
    largest = max((n for n, _ in held), default=0)
    last = rows[-1][1]
    per_camera = (idle["janus_cpu"] - empty["janus_cpu"]) / max(1, options.videos)
    per_person = slope([(n, r["janus_cpu"]) for n, r in held]) if len(held) > 1 else 0.0
    received = options.videos + 2  # streams each person receives: the cameras, two voices
    print(
        f"\n(c) largest meeting held at < 1% loss here: {largest} participants "
        f"({options.videos} cameras, 2 speakers, everyone else muted); the run stopped on "
        f"{'loss' if last['loss_percent'] >= 1 else '--max'}"
    )
    print(
        f"    Janus: {empty['janus_cpu']:.1f}% of a core empty, +{per_camera:.2f}% per camera "
        f"publisher, +{per_person:.2f}% per participant (publishing a muted microphone, "
        f"receiving {received} streams)"
    )
    if per_person > 0:
        per_person_9 = per_person * (9 + 2) / received  # cost grows with the streams received
        need = empty["janus_cpu"] + 9 * per_camera + 150 * per_person_9
        print(
            f"    extrapolation per core: ~{100 / per_person:.0f} such participants per Janus "
            f"core; 150 people with 9 cameras (each receiving 11 streams) ~{need / 100:.2f} core"
        )
    print(f"    Ensemble (web server + worker) during the meeting: {last['ensemble_cpu']:.1f}%")


async def run(options: argparse.Namespace, workers: Workers) -> None:
    data = Path(tempfile.mkdtemp(prefix="ensemble-bench-meet-")) / "data"
    suite = Suite(data)
    janus = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "janus"], capture_output=True, text=True
    ).stdout
    print(
        f"# Meet benchmark: {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Janus {janus}"
    )
    print(
        f"# cameras 320x240@15 (VP8), microphones silence (Opus); {len(workers)} client "
        f"processes; measures over {MEASURE_SECONDS} s"
    )
    code = suite.meeting()
    people: list[Participant] = []
    try:
        empty = await measure(suite, people, workers)
        # The cameras: a few publishers with video, the first two also speaking.
        cameras = []
        for number in range(options.videos):
            person = Participant(suite.base, code, f"Camera {number + 1}")
            await person.join()
            await person.publish(video=True)
            cameras.append(person)
            people.append(person)
        await asyncio.sleep(2)
        # Everyone receives every camera and the voices of the first two (the others are
        # muted): mid 0 is a publisher's microphone, mid 1 its camera.
        feeds = [camera.media["feed"] for camera in cameras]
        streams = [{"feed": feed, "mid": "1"} for feed in feeds]
        streams += [{"feed": feed, "mid": "0"} for feed in feeds[:2]]

        idle = await measure(suite, people, workers)
        print(
            f"\n(b) {options.videos} camera publishers, nobody watching: "
            f"Janus {idle['janus_cpu']:.1f}% of a core, Ensemble {idle['ensemble_cpu']:.1f}%"
        )

        # (a) Joiners one by one: request -> first video frame.
        joins: list[float] = []
        timed: list[Participant] = []
        for number in range(options.joiners):
            person = Participant(suite.base, code, f"Joiner {number + 1}")
            await person.join()
            await person.publish(video=False)
            await person.subscribe(streams)
            while person.first_video is None:
                await asyncio.sleep(0.01)
                if time.monotonic() - person.asked > 30:
                    raise RuntimeError("no video after 30 s")
            joins.append(person.first_video - person.asked)
            timed.append(person)
        for person in timed:  # they leave: the meeting grows in the client processes
            await person.close()
        print(
            f"\n(a) join -> first video frame, {len(joins)} joiners one by one: "
            f"p50 {1000 * statistics.median(joins):.0f} ms, "
            f"p95 {1000 * percentile(joins, 0.95):.0f} ms"
        )

        # (b, c) The meeting grows: each newcomer publishes a (muted) microphone and watches
        # every camera and hears the two speakers.
        print("\n(b) participants | Janus % | Ensemble % | clients % | packets/s received | loss %")
        rows = []
        joined = 0
        while True:
            result = await measure(suite, people, workers)
            count = len(people) + joined
            rows.append((count, result))
            print(
                f"    {count:>12} | {result['janus_cpu']:7.1f} | {result['ensemble_cpu']:10.1f} | "
                f"{result['clients_cpu']:9.1f} | {result['packets_per_s']:18.0f} | "
                f"{result['loss_percent']:6.2f}"
            )
            if result["loss_percent"] >= 1 or count >= options.max:
                break
            names = [f"Person {count + n + 1}" for n in range(options.step)]
            await workers.add(suite.base, code, streams, names)
            joined += options.step
            await asyncio.sleep(3)
        summarise(options, empty, idle, rows)
    finally:
        for person in people:
            await person.close()
        suite.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--videos", type=int, default=4, help="camera publishers (default 4)")
    parser.add_argument(
        "--joiners", type=int, default=10, help="joiners timed one by one (default 10)"
    )
    parser.add_argument(
        "--step", type=int, default=10, help="participants added per step (default 10)"
    )
    parser.add_argument("--max", type=int, default=150, help="stop at this many (default 150)")
    parser.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    options = parser.parse_args()
    if not os.environ.get("MEDIA_NETNS"):
        sys.exit(
            "Run inside scripts/media-netns (make bench-meet does, as root): WebRTC needs it here."
        )
    workers = Workers(options.processes)
    asyncio.run(run(options, workers))


if __name__ == "__main__":
    main()
