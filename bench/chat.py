"""Benchmark: Ensemble's chat against Synapse, side by side on this machine, in one run.

Each server gets the same three scenarios, driven from this process over loopback:
  (a) sequential: one sender sends N messages one after the other; one receiver, on its own
      connection, records when each arrives: messages/s and send->receive latency p50/p95/p99;
  (b) concurrent: 10 senders at once, one receiver: messages/s and p95;
  (c) fan-out: 100 connected receivers in the room, one sender: deliveries/s and p99;
plus the server's peak resident memory and the count of missing and duplicated messages.
(a) and (b) run in three rounds (--rounds): in each round every server in turn is started,
measured once and stopped, so that the machine's drift (a third within an hour here) falls on
all of them alike; the median round is reported, with every round's messages/s beside it in
round order. (c) runs in the first round. Before each scenario the senders send 20 messages
each, as in the scenario (all at once when there are several), that are not measured. Each
server is driven from a fresh client process, so none inherits the heap the earlier ones left
in the client. With one server (--only), --repeat runs of (a) and (b) in one process instead.

Synapse (pip matrix-synapse) runs on SQLite with every rate limit lifted; it is driven with
matrix-nio (registration, room set-up, sending) and receivers long-poll /sync with a filter that
keeps only room timelines. Ensemble runs as `ensemble serve` on its embedded default (SQLite)
and on PostgreSQL + Redis; senders use the REST API, receivers the WebSocket, flood control
lifted. Both are sent the same messages from the same client code paths (aiohttp).

    make bench-chat        # makes var/synapse-venv (matrix-synapse, matrix-nio) and runs this
    PYTHONPATH=. var/synapse-venv/bin/python bench/chat.py \
        [--only synapse,ensemble-sqlite,ensemble-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from procs import memory_mib

from ensemble.core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
ENSEMBLE_PYTHON = ROOT / ".venv" / "bin" / "python"
PASSWORD = "bench-Passw0rd-long-enough"
OnMessage = Callable[[str, float], None]


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, seconds: int = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:]) from None
            time.sleep(0.3)


# ------------------------------------------------------------------------------------ servers


class Server:
    """What a scenario needs of a chat server: senders and receivers of one room."""

    name = ""
    process: subprocess.Popen[bytes]

    async def prepare(self, users: int) -> None: ...

    async def sender(self, index: int) -> Callable[[str], Awaitable[None]]: ...

    async def receiver(
        self, index: int, on_message: OnMessage
    ) -> Callable[[], Awaitable[None]]: ...

    async def close_clients(self) -> None: ...

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def peak_rss_mib(self) -> float:
        return memory_mib(self.process.pid, "VmHWM")


class Synapse(Server):
    name = "Synapse (SQLite)"

    def __init__(self, work: Path) -> None:
        import yaml

        self.port, self.work = free_port(), work
        self.url = f"http://127.0.0.1:{self.port}"
        config = work / "homeserver.yaml"
        subprocess.run(
            [sys.executable, "-m", "synapse.app.homeserver", "--server-name", "bench.local",
             "--config-path", str(config), "--data-directory", str(work),
             "--generate-config", "--report-stats=no"],
            check=True, capture_output=True, cwd=work,
        )  # fmt: skip
        settings = yaml.safe_load(config.read_text())
        unlimited = {"per_second": 1_000_000, "burst_count": 1_000_000}
        settings.update(
            listeners=[{"port": self.port, "bind_addresses": ["127.0.0.1"], "type": "http",
                        "tls": False, "x_forwarded": False,
                        "resources": [{"names": ["client"], "compress": False}]}],
            database={"name": "sqlite3", "args": {"database": str(work / "homeserver.db")}},
            enable_registration=True,
            enable_registration_without_verification=True,
            bcrypt_rounds=4,
            trusted_key_servers=[],
            suppress_key_server_warning=True,
            report_stats=False,
            rc_message=unlimited,
            rc_registration=unlimited,
            rc_login={"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
            rc_joins={"local": unlimited, "remote": unlimited},
            rc_joins_per_room=unlimited,
            rc_invites={"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited},
            rc_room_creation=unlimited,
            rc_presence={"per_user": unlimited},
        )  # fmt: skip
        config.write_text(yaml.safe_dump(settings))
        log_config = Path(settings["log_config"])
        log_config.write_text(log_config.read_text().replace("level: INFO", "level: WARNING"))
        self.log = work / "synapse.out"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
                stdout=out, stderr=subprocess.STDOUT, cwd=work,
            )  # fmt: skip
        wait_http(f"{self.url}/_matrix/client/versions", self.process, self.log)
        self.tokens: list[str] = []
        self.room = ""
        self.clients: list[Any] = []

    async def prepare(self, users: int) -> None:
        from nio import AsyncClient, RegisterResponse, RoomCreateResponse, RoomPreset

        clients = []
        for number in range(len(self.tokens), users):
            client = AsyncClient(self.url, f"user{number}")
            answer = await client.register(f"user{number}", PASSWORD)
            assert isinstance(answer, RegisterResponse), answer
            clients.append(client)
            self.tokens.append(answer.access_token)
        if not self.room:
            created = await clients[0].room_create(name="Bench", preset=RoomPreset.public_chat)
            assert isinstance(created, RoomCreateResponse), created
            self.room = created.room_id
        for client in clients:
            await client.join(self.room)
            await client.close()

    async def sender(self, index: int) -> Callable[[str], Awaitable[None]]:
        from nio import AsyncClient, RoomSendResponse

        client = AsyncClient(self.url, f"user{index}")
        client.access_token, client.user_id = self.tokens[index], f"@user{index}:bench.local"
        self.clients.append(client)

        async def send(body: str) -> None:
            answer = await client.room_send(
                self.room, "m.room.message", {"msgtype": "m.text", "body": body}
            )
            assert isinstance(answer, RoomSendResponse), answer

        return send

    async def receiver(self, index: int, on_message: OnMessage) -> Callable[[], Awaitable[None]]:
        session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {self.tokens[index]}"})
        keep = {"room": {"timeline": {"limit": 200}, "state": {"lazy_load_members": True},
                         "ephemeral": {"not_types": ["*"]}, "account_data": {"not_types": ["*"]}},
                "presence": {"not_types": ["*"]}, "account_data": {"not_types": ["*"]}}  # fmt: skip
        url = f"{self.url}/_matrix/client/v3/sync"
        params = {"filter": json.dumps(keep), "timeout": "0"}
        async with session.get(url, params=params) as first:
            since = (await first.json())["next_batch"]

        async def loop() -> None:
            nonlocal since
            while True:
                query = {**params, "timeout": "30000", "since": since}
                async with session.get(url, params=query) as answer:
                    data = await answer.json()
                arrived = time.perf_counter()
                since = data["next_batch"]
                room = data.get("rooms", {}).get("join", {}).get(self.room, {})
                for event in room.get("timeline", {}).get("events", []):
                    if event.get("type") == "m.room.message":
                        on_message(event["content"]["body"], arrived)

        task = asyncio.create_task(loop())

        async def stop() -> None:
            task.cancel()
            await session.close()

        return stop

    async def close_clients(self) -> None:
        for client in self.clients:
            await client.close()
        self.clients.clear()


class Ensemble(Server):
    def __init__(self, work: Path, production: bool, send_over: str) -> None:
        self.port, self.work, self.send_over = free_port(), work, send_over
        self.url = f"http://127.0.0.1:{self.port}"
        engine = "PostgreSQL + Redis" if production else "SQLite"
        self.name = (
            f"Ensemble ({engine}, sends on the {'socket' if send_over == 'socket' else 'REST API'})"
        )
        env = {key: value for key, value in os.environ.items() if key not in ENGINE_VARIABLES}
        env.update(ENSEMBLE_DATA_DIR=str(work / "data"), CHAT_FLOOD_MESSAGES="1000000",
                   LANGUAGE_CODE="en", SITE_URL=self.url, JANUS_EMBEDDED="false")  # fmt: skip
        if production:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                            "ensemble_bench"], check=True)  # fmt: skip
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "ensemble_bench"],
                           check=True)  # fmt: skip
            subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=True, capture_output=True)
            env.update(
                DATABASE_URL="postgres://postgres@127.0.0.1:5432/ensemble_bench",
                REDIS_URL="redis://127.0.0.1:6379/13",
                SECRET_KEY="bench-secret-key-bench-secret-key-bench-secret-key",
                ENCRYPTION_KEYS="bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            )
        self.env = env
        self.log = work / "ensemble.out"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(ENSEMBLE_PYTHON), "-m", "ensemble.cli", "serve", "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        wait_http(f"{self.url}/healthz", self.process, self.log)
        self.users = 0
        self.room = ""
        self.sessions: list[aiohttp.ClientSession] = []

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [str(ENSEMBLE_PYTHON), "-m", "ensemble.cli", "manage", "shell", "-c", code],
            env=self.env, cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip().splitlines()[-1]

    async def prepare(self, users: int) -> None:
        self.room = self.shell(
            "from ensemble.accounts.models import Organisation, User\n"
            "from ensemble.chat.actions.rooms import create_room\n"
            "from ensemble.chat.models import Room, RoomMember\n"
            "org, _ = Organisation.objects.get_or_create(name='Bench')\n"
            f"for n in range({self.users}, {users}):\n"
            f"    User.objects.create_user(f'user{{n}}@bench.local', {PASSWORD!r},"
            " full_name=f'User {n}', organisation=org)\n"
            "room = Room.objects.filter(name='Bench').first()\n"
            "if room is None:\n"
            "    room = create_room(User.objects.get(email='user0@bench.local'),"
            " 'private', 'Bench')\n"
            f"for n in range({users}):\n"
            "    RoomMember.objects.get_or_create(room=room, "
            "user=User.objects.get(email=f'user{n}@bench.local'))\n"
            "print(room.pk)"
        )
        self.users = users

    async def session_of(self, index: int) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sessions.append(session)
        async with session.get(f"{self.url}/accounts/login/") as page:
            await page.read()
        token = session.cookie_jar.filter_cookies(self.url)["csrftoken"].value
        form = {"csrfmiddlewaretoken": token, "email": f"user{index}@bench.local",
                "password": PASSWORD}  # fmt: skip
        async with session.post(f"{self.url}/accounts/login/", data=form,
                                allow_redirects=False) as answer:  # fmt: skip
            assert answer.status == 302, await answer.text()
        return session

    async def sender(self, index: int) -> Callable[[str], Awaitable[None]]:
        session = await self.session_of(index)
        if self.send_over == "socket":
            socket = await session.ws_connect(
                f"ws://127.0.0.1:{self.port}/ws/", headers={"Origin": self.url}
            )

            async def send_on_socket(body: str) -> None:
                call = {"room": self.room, "txn_id": uuid.uuid4().hex, "body": body}
                await socket.send_json(
                    {"action": "call", "id": "s", "command": "chat.send", "payload": call}
                )
                while (answer := await socket.receive_json())["type"] != "result":
                    pass
                assert answer["status"] == 201, answer

            return send_on_socket
        token = session.cookie_jar.filter_cookies(self.url)["csrftoken"].value
        url = f"{self.url}/api/v1/chat/rooms/{self.room}/messages/"

        async def send(body: str) -> None:
            data = {"txn_id": uuid.uuid4().hex, "body": body}
            async with session.post(url, json=data, headers={"X-CSRFToken": token}) as answer:
                assert answer.status == 201, await answer.text()

        return send

    async def receiver(self, index: int, on_message: OnMessage) -> Callable[[], Awaitable[None]]:
        session = await self.session_of(index)
        socket = await session.ws_connect(
            f"ws://127.0.0.1:{self.port}/ws/", headers={"Origin": self.url}, max_msg_size=0
        )
        stream = f"chat.room:{self.room}"
        await socket.send_json({"action": "subscribe", "stream": stream, "after": 2**53})
        while (await socket.receive_json())["type"] != "subscribed":
            pass

        async def loop() -> None:
            async for message in socket:
                arrived = time.perf_counter()
                data = json.loads(message.data)
                if data.get("event") == "chat.message.created":
                    on_message(data["payload"]["body"], arrived)

        task = asyncio.create_task(loop())

        async def stop() -> None:
            task.cancel()
            await socket.close()

        return stop

    async def close_clients(self) -> None:
        for session in self.sessions:
            await session.close()
        self.sessions.clear()


WARM_UP = 20  # messages each sender sends before a scenario is measured

ENGINE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SECRET_KEY", "ENCRYPTION_KEYS"}


# ------------------------------------------------------------------------------------ scenarios


@dataclass
class Outcome:
    messages: int
    deliveries: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    duplicated: int = 0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0

    def summary(self) -> dict[str, float]:
        return {
            "messages": self.messages,
            "deliveries": self.deliveries,
            "seconds": round(self.seconds, 2),
            "messages_per_s": round(self.messages / self.seconds, 1),
            "deliveries_per_s": round(self.deliveries / self.seconds, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0,
            "missing": self.missing,
            "duplicated": self.duplicated,
        }


async def scenario(server: Server, senders: int, each: int, receivers: int) -> Outcome:
    """``senders`` users each send ``each`` messages in turn, all at once; ``receivers`` other
    users receive. Latency: from just before the send call to the receiver's arrival. Each
    sender first sends WARM_UP messages that are not measured."""
    await server.prepare(senders + receivers)
    sent_at: dict[str, float] = {}
    arrivals: list[dict[str, list[float]]] = [defaultdict(list) for _ in range(receivers)]
    expected = senders * each
    done = asyncio.Event()
    complete = [0]
    run = f"bench-{uuid.uuid4().hex[:8]}-"

    def recorder(number: int) -> OnMessage:
        def record(body: str, when: float) -> None:
            if not body.startswith(run):  # a message of an earlier scenario
                return
            arrivals[number][body].append(when)
            if len(arrivals[number][body]) == 1 and len(arrivals[number]) == expected:
                complete[0] += 1
                if complete[0] == receivers:
                    done.set()

        return record

    stops = [await server.receiver(senders + n, recorder(n)) for n in range(receivers)]
    sends = [await server.sender(n) for n in range(senders)]

    async def warm_up(send: Callable[[str], Awaitable[None]]) -> None:
        for index in range(WARM_UP):
            await send(f"warm-up-{uuid.uuid4().hex[:8]}-{index}")

    # not measured, and with the scenario's own concurrency: connections, caches, statements
    await asyncio.gather(*(warm_up(send) for send in sends))
    await asyncio.sleep(1)

    async def send_all(number: int) -> None:
        for index in range(each):
            body = f"{run}{number}-{index}"
            sent_at[body] = time.perf_counter()
            await sends[number](body)

    started = time.perf_counter()
    await asyncio.gather(*(send_all(n) for n in range(senders)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=60)
    await asyncio.sleep(0.5)  # duplicates, if any, would arrive now
    for stop in stops:
        await stop()
    outcome = Outcome(messages=expected, deliveries=expected * receivers, seconds=0)
    last = started
    for got in arrivals:
        for body, times in got.items():
            if body not in sent_at:
                continue
            outcome.latencies.append(times[0] - sent_at[body])
            outcome.duplicated += len(times) - 1
            last = max(last, times[0])
        outcome.missing += sum(1 for body in sent_at if body not in got)
    outcome.seconds = last - started
    return outcome


async def measure(server: Server, options: argparse.Namespace) -> dict[str, Any]:
    """Scenarios (a) and (b) run ``options.repeat`` times each (this machine is noisy): the
    run with the median messages/s is reported, every run's figure kept beside it."""

    async def median(senders: int, each: int) -> dict[str, Any]:
        runs = [(await scenario(server, senders, each, 1)).summary() for _ in range(options.repeat)]
        runs.sort(key=lambda run: run["messages_per_s"])
        return {
            **runs[len(runs) // 2],
            "runs_messages_per_s": [run["messages_per_s"] for run in runs],
            "missing": sum(run["missing"] for run in runs),  # of every run
            "duplicated": sum(run["duplicated"] for run in runs),
        }

    results = {
        "sequential": await median(1, options.messages),
        "concurrent": await median(options.senders, options.messages // options.senders),
    }
    if options.fanout_messages:
        fanout = await scenario(server, 1, options.fanout_messages, options.clients)
        results["fanout"] = fanout.summary()
    await server.close_clients()
    return results


def conditions() -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    synapse = subprocess.run([sys.executable, "-m", "pip", "show", "matrix-synapse"],
                             capture_output=True, text=True).stdout  # fmt: skip
    version = next(
        (line.split()[1] for line in synapse.splitlines() if line.startswith("Version")), "?"
    )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "synapse": version,
        "clients": "this process, asyncio + aiohttp (nio for Synapse set-up and sends), loopback",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--fanout-messages", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every server, median kept")
    parser.add_argument("--repeat", type=int, default=3, help="with one server: runs of (a), (b)")
    parser.add_argument("--only", default="synapse,ensemble-sqlite,ensemble-postgres")
    parser.add_argument(
        "--ensemble-sends",
        default="socket,rest",
        help="how Ensemble's senders send: on the WebSocket, with the REST API, or both",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-chat.json")
    options = parser.parse_args()
    report: dict[str, Any] = {"conditions": conditions(), "servers": {}}
    print(json.dumps(report["conditions"], indent=2))
    runs = [
        (key, way)
        for key in options.only.split(",")
        for way in (["-"] if key == "synapse" else options.ensemble_sends.split(","))
    ]
    if len(runs) == 1:
        report["servers"].update(run_one(*runs[0], options))
    else:  # each server driven by a fresh client process: no server inherits another's heap
        rounds = [
            {name: results for key, way in runs
             for name, results in run_apart(key, way, options, fanout=number == 0).items()}
            for number in range(options.rounds)
        ]  # fmt: skip
        report["servers"] = {name: merged([one[name] for one in rounds]) for name in rounds[0]}
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(report, indent=2))
    print_table(report)


def run_one(key: str, way: str, options: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{key}-"))
    server = Synapse(work) if key == "synapse" else Ensemble(work, key == "ensemble-postgres", way)
    try:
        results = asyncio.run(measure(server, options))
        results["peak_rss_mib"] = round(server.peak_rss_mib(), 1)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{server.name}\n{json.dumps(results, indent=2)}", flush=True)
    return {server.name: results}


def merged(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One server's rounds: for (a) and (b) the median round, every round's figure beside it
    (in round order) and what went missing in any; (c) from the round that ran it."""
    results: dict[str, Any] = {"fanout": next(r["fanout"] for r in rounds if "fanout" in r)}
    for part in ("sequential", "concurrent"):
        ordered = sorted((r[part] for r in rounds), key=lambda run: run["messages_per_s"])
        results[part] = {
            **ordered[len(ordered) // 2],
            "runs_messages_per_s": [r[part]["messages_per_s"] for r in rounds],
            "missing": sum(r[part]["missing"] for r in rounds),
            "duplicated": sum(r[part]["duplicated"] for r in rounds),
        }
    results["peak_rss_mib"] = max(r["peak_rss_mib"] for r in rounds)
    return results


def run_apart(key: str, way: str, options: argparse.Namespace, fanout: bool) -> dict[str, Any]:
    """One round of one server: started, measured once, stopped, from a client process of
    its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        command = [sys.executable, __file__, "--only", key, "--ensemble-sends", way,
                   "--out", str(out), "--messages", str(options.messages),
                   "--senders", str(options.senders), "--clients", str(options.clients),
                   "--fanout-messages", str(options.fanout_messages if fanout else 0),
                   "--repeat", "1"]  # fmt: skip
        subprocess.run(command, check=True)
        servers: dict[str, Any] = json.loads(out.read_text())["servers"]
        return servers


def print_table(report: dict[str, Any]) -> None:
    print("\n| | " + " | ".join(report["servers"]) + " |")
    print("|---" * (len(report["servers"]) + 1) + "|")
    rows = [
        ("(a) sequential, messages/s", "sequential", "messages_per_s"),
        ("(a) latency p50 ms", "sequential", "p50_ms"),
        ("(a) latency p95 ms", "sequential", "p95_ms"),
        ("(a) latency p99 ms", "sequential", "p99_ms"),
        ("(b) 10 senders, messages/s", "concurrent", "messages_per_s"),
        ("(b) latency p95 ms", "concurrent", "p95_ms"),
        ("(c) fan-out, deliveries/s", "fanout", "deliveries_per_s"),
        ("(c) latency p99 ms", "fanout", "p99_ms"),
    ]
    for label, part, key in rows:
        cells = [str(results.get(part, {}).get(key, "-")) for results in report["servers"].values()]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for label, part in (("(a) every round", "sequential"), ("(b) every round", "concurrent")):
        cells = [
            " / ".join(str(figure) for figure in results[part]["runs_messages_per_s"])
            for results in report["servers"].values()
        ]
        print(f"| {label}, messages/s | " + " | ".join(cells) + " |")
    lost = [
        str(sum(results[part]["missing"] + results[part]["duplicated"]
                for part in ("sequential", "concurrent", "fanout") if part in results))
        for results in report["servers"].values()
    ]  # fmt: skip
    print("| missing + duplicated | " + " | ".join(lost) + " |")
    peaks = [str(results["peak_rss_mib"]) for results in report["servers"].values()]
    print("| server peak RSS MiB | " + " | ".join(peaks) + " |")


if __name__ == "__main__":
    main()
