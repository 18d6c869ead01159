"""Benchmark: Ensemble's document socket against Hocuspocus, side by side, in one run.

The same headless Yjs clients (Node, bench/docs/clients.mjs: `yjs` with Ensemble's framing, and
Hocuspocus's own provider for Hocuspocus) drive both servers in turn:
  1. prefill: --docs documents of --words words (paragraphs of 50), and one of --big-words;
  2. typing: --editors editors per document, each typing one character at --rate per second
     at a random place of one of the first paragraphs, for --seconds after a --warmup; the
     latency from a keystroke to each other editor of its document (p50, p99), the server's
     CPU (share of one core, its whole process tree) and its memory per open document (resident
     memory with every document open, less the idle server's, over the documents);
  3. every editor of a document ends with the same document, byte for byte (Yjs's encoding of
     the whole state), and a fresh client opening each document after the server was restarted
     reads exactly those bytes (nothing lost, nothing left only in memory);
  4. the time to open the big document (connect to synced), median of 5.
Hocuspocus (@hocuspocus/server 4.7 with @hocuspocus/extension-sqlite, the server LaSuite Docs
uses) runs on its defaults; Ensemble as `ensemble serve` on its embedded default (SQLite) and,
with --postgres, on PostgreSQL + Redis. Each server is started fresh for each round.

    make bench-docs
    .venv/bin/python bench/docs.py [--docs 100 --editors 3 --rate 5 --seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from procs import cpu_seconds, memory_mib

from ensemble.core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "bench" / "docs"
PYTHON = ROOT / ".venv" / "bin" / "python"
ENGINES = {"DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SECRET_KEY", "ENCRYPTION_KEYS"}


def wait_port(port: int, process: subprocess.Popen[bytes], log: Path, seconds: int = 120) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text()[-3000:])
        time.sleep(0.2)


class Server:
    name = ""
    base = ""
    origin = ""
    kind = ""
    process: subprocess.Popen[bytes]

    def start(self) -> None: ...

    def document_ids(self, count: int) -> list[str]: ...

    @property
    def log(self) -> Path:
        raise NotImplementedError

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Ensemble(Server):
    kind = "ensemble"

    def __init__(self, work: Path, postgres: bool) -> None:
        self.work, self.port = work, free_port()
        self.name = f"Ensemble ({'PostgreSQL + Redis' if postgres else 'SQLite'})"
        self.base, self.origin = f"ws://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if key not in ENGINES}
        env.update(ENSEMBLE_DATA_DIR=str(work / "data"), LANGUAGE_CODE="en", JANUS_EMBEDDED="false")
        if postgres:
            subprocess.run(
                [
                    "dropdb",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "--if-exists",
                    "ensemble_bench_docs",
                ],
                check=True,
            )
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", "ensemble_bench_docs"], check=True
            )
            subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=True, capture_output=True)
            env.update(
                DATABASE_URL="postgres://postgres@127.0.0.1:5432/ensemble_bench_docs",
                REDIS_URL="redis://127.0.0.1:6379/13",
                SECRET_KEY="bench-secret-key-bench-secret-key-bench-secret-key",
                ENCRYPTION_KEYS="bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            )
        self.env = env
        subprocess.run(
            [str(PYTHON), "-m", "ensemble.cli", "manage", "migrate", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )

    @property
    def log(self) -> Path:
        return self.work / "ensemble.out"

    def start(self) -> None:
        log = self.log
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [str(PYTHON), "-m", "ensemble.cli", "serve", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        wait_port(self.port, self.process, log)

    def document_ids(self, count: int) -> list[str]:
        code = (
            "from ensemble.accounts.models import User\n"
            "from ensemble.docs import actions\n"
            "owner, _ = User.objects.get_or_create(email='bench@bench.local')\n"
            f"for n in range({count}):\n"
            "    doc = actions.create_document(owner, f'Bench {n}')\n"
            "    doc.link_reach, doc.link_role = 'public', 'editor'\n"
            "    doc.save()\n"
            "    print(doc.pk)\n"
        )
        done = subprocess.run(
            [str(PYTHON), "-m", "ensemble.cli", "manage", "shell", "-c", code],
            env=self.env, cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.split()[-count:]


class Hocuspocus(Server):
    kind = "hocuspocus"
    name = "Hocuspocus 4.7 (SQLite)"

    def __init__(self, work: Path) -> None:
        self.work, self.port = work, free_port()
        self.base = self.origin = f"ws://127.0.0.1:{self.port}"
        self.count = 0

    @property
    def log(self) -> Path:
        return self.work / "hocuspocus.out"

    def start(self) -> None:
        log = self.log
        with log.open("a") as out:
            self.process = subprocess.Popen(
                ["node", "hocuspocus.mjs", str(self.port), str(self.work / "hocuspocus.sqlite")],
                stdout=out, stderr=subprocess.STDOUT, cwd=CLIENTS,
            )  # fmt: skip
        wait_port(self.port, self.process, log)

    def document_ids(self, count: int) -> list[str]:
        ids = [f"bench-{n}" for n in range(self.count, self.count + count)]
        self.count += count
        return ids


def clients(
    server: Server, mode: str, docs: list[str], **options: Any
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run the Node clients in one mode; their JSON answer, and the server's CPU seconds and
    wall seconds between the clients' "measure start" and "measure end"."""
    settings = {"mode": mode, "kind": server.kind, "base": server.base, "origin": server.origin,
                "docs": docs, **options}  # fmt: skip
    given = Path(tempfile.mkstemp(suffix=".json")[1])
    given.write_text(json.dumps(settings))
    child = subprocess.Popen(
        ["node", "clients.mjs", str(given)],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        text=True,
    )
    window: dict[str, float] = {}
    assert child.stdout is not None
    last = ""
    for line in child.stdout:
        line = line.strip()
        if line == "opened":
            window["rss_open"] = memory_mib(server.process.pid)
        elif line == "measure start":
            window["cpu0"], window["t0"] = cpu_seconds(server.process.pid), time.monotonic()
        elif line == "measure end":
            window["cpu"] = cpu_seconds(server.process.pid) - window["cpu0"]
            window["wall"] = time.monotonic() - window["t0"]
        elif line:
            last = line
    given.unlink()
    if child.wait() != 0:
        lines = server.log.read_text().splitlines() if server.log.exists() else []
        log = "\n".join(
            line for line in lines if "rq.worker" not in line and "django_tasks" not in line
        )[-6000:]
        raise RuntimeError(f"the clients failed in mode {mode} against {server.name}\n{log}")
    return json.loads(last), window


def run(server: Server, options: argparse.Namespace) -> dict[str, Any]:
    server.start()
    try:
        idle = memory_mib(server.process.pid)
        docs = server.document_ids(options.docs)
        big = server.document_ids(1)
        clients(server, "prefill", docs, words=options.words)
        clients(server, "prefill", big, words=options.big_words)
        typed, window = clients(
            server, "typing", docs, editors=options.editors, rate=options.rate,
            seconds=options.seconds, warmup=options.warmup,
        )  # fmt: skip
    finally:
        server.stop()
    server.start()  # what a fresh client reads now is what the server stored
    try:
        stored, _ = clients(server, "verify", docs, finals=typed.pop("finals"))
        opened, _ = clients(server, "open", big, repeat=5)
    finally:
        server.stop()
    return {
        **typed,
        **stored,
        "cpu_share": round(window["cpu"] / window["wall"], 2),
        "rss_per_doc_kib": round((window["rss_open"] - idle) * 1024 / options.docs, 1),
        "rss_idle_mib": round(idle, 1),
        "open_big_ms": round(statistics.median(opened["open_ms"]), 1),
    }


def conditions(options: argparse.Namespace) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "load": vars(options),
        "clients": "one Node process (yjs 13.6.33), loopback, on the same machine as the server",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--editors", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0, help="keystrokes per second per editor")
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--big-words", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="hocuspocus,ensemble-sqlite")
    parser.add_argument(
        "--postgres", action="store_true", help="also Ensemble on PostgreSQL + Redis"
    )
    options = parser.parse_args()
    if not (CLIENTS / "node_modules").exists():
        sys.exit("run `make bench-docs` (it installs bench/docs/node_modules) first")
    names = options.only.split(",") + (["ensemble-postgres"] if options.postgres else [])
    report: dict[str, Any] = {"conditions": conditions(options), "servers": {}}
    work = Path(tempfile.mkdtemp(prefix="ensemble-bench-docs-"))
    try:
        for name in names:
            place = work / name
            place.mkdir()
            server: Server = (
                Hocuspocus(place) if name == "hocuspocus"
                else Ensemble(place, postgres=name == "ensemble-postgres")
            )  # fmt: skip
            print(f"… {server.name}", file=sys.stderr, flush=True)
            report["servers"][server.name] = run(server, options)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
