"""The ``ensemble`` command: run, operate and check an Ensemble install."""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from typing import Any

HELP = """\
Ensemble, the sovereign collaboration suite.

commands:
  serve          run the whole suite in one process group: web server (ASGI), background
                 worker and what else the embedded default needs; Ctrl-C stops all cleanly
  worker         run the background-job worker (RQ when REDIS_URL is set, else the database),
                 which also enqueues the periodic jobs
  createadmin    create an operator account; prints its generated password once
  check          check the configuration and that every configured engine answers
  audit verify   walk the hash-chained audit log and name the first tampered entry
  audit export   write the audit log as JSON lines (to stdout or --output FILE)
  rotate-keys    re-wrap every stored file's key with the current master key
  manage ...     any Django management command (e.g. `ensemble manage migrate`)

Settings come from environment variables: see docs/configuration.md.
"""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings")
    import django

    django.setup()


def manage(*args: str) -> None:
    setup_django()
    from django.core.management import call_command

    call_command(*args)


def web_server_command(host: str, port: int) -> list[str]:
    """The ASGI web server `serve` runs: uvicorn, telling nobody its name and version."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "ensemble.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--proxy-headers",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "--no-server-header",
        # Socket frames are small (a keystroke, a chat event): compressing each one cost a
        # tenth of the web process's time under load (docs/perf.md), for a few bytes saved.
        "--ws-per-message-deflate",
        "false",
    ]


def cmd_serve(options: argparse.Namespace) -> int:
    """Start the suite's processes and watch them. This process stays thin (about 15 MiB,
    docs/perf.md): it never imports Django or the apps; whatever needs them runs in a child."""
    ensemble = [sys.executable, "-m", "ensemble.cli"]
    migrate = [*ensemble, "manage", "migrate", "--no-input", "--verbosity", "0"]
    if subprocess.run(migrate, check=False).returncode != 0:  # noqa: S603
        print("The database could not be migrated: nothing was started.", file=sys.stderr)
        return 1
    plan = embedded_janus_plan(ensemble)
    media = start_janus(plan) if plan else None
    restart_janus = media is not None  # once it ran: a later crash is not for good
    web = web_server_command(options.host, options.port)
    children = [subprocess.Popen(web), subprocess.Popen([*ensemble, "worker"])]  # noqa: S603
    print(
        f"Ensemble is running at http://{options.host}:{options.port}/ (Ctrl-C to stop)", flush=True
    )
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    janus_retry = 0.0
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
        died = media is None or media.poll() is not None
        if plan and restart_janus and died and time.monotonic() > janus_retry:
            # The embedded Janus died: start it again (meetings are placed again on it, and
            # the pages reconnect by themselves).
            print("Janus stopped; starting it again.", file=sys.stderr, flush=True)
            media = start_janus(plan)
            janus_retry = time.monotonic() + 5
    failed = [child for child in children if child.poll() not in (None, 0)]
    for child in [*children, *([media] if media else [])]:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    if failed and not stopping:
        print(
            "A process of the suite stopped unexpectedly; the others were stopped.", file=sys.stderr
        )
        return 1
    return 0


def embedded_janus_plan(ensemble: list[str]) -> dict[str, Any] | None:
    """How to run the embedded Janus, asked of a child that loads the settings (`janus-plan`):
    its command line, HTTP port and log; None when there is none to run."""
    asked = subprocess.run(  # noqa: S603
        [*ensemble, "janus-plan"], stdout=subprocess.PIPE, text=True, check=False
    )
    lines = asked.stdout.strip().splitlines()
    if asked.returncode != 0 or not lines or lines[-1] == "null":
        return None
    plan: dict[str, Any] = json.loads(lines[-1])
    return plan


def start_janus(plan: dict[str, Any]) -> subprocess.Popen[bytes] | None:
    """Start Janus as ``plan`` says and return once its HTTP API accepts connections."""
    process = subprocess.Popen(  # noqa: S603
        plan["command"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        preexec_fn=without_core_file,  # Janus 1.1 may crash while stopping
    )
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", plan["port"]), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    print(f"Meetings are unavailable: Janus did not start (see {plan['log']}).", file=sys.stderr)
    return None


def without_core_file() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def cmd_janus_plan(options: argparse.Namespace) -> int:
    """For `serve`: render the embedded Janus's configuration and print how to run it (JSON
    on the last line), or null. Without Janus the rest of the suite still works."""
    setup_django()
    from django.conf import settings

    if not settings.JANUS_EMBEDDED:
        print("null")
        return 0

    from ensemble.meet import janus_server

    if not janus_server.available():
        print("Meetings are unavailable: Janus is not installed.", file=sys.stderr)
        print("null")
        return 0
    janus = janus_server.JanusSettings(
        http_port=settings.JANUS_HTTP_PORT,
        admin_port=settings.JANUS_ADMIN_PORT,
        ws_port=settings.JANUS_WS_PORT,
        admin_secret=settings.JANUS_ADMIN_SECRET,
        admin_key=settings.JANUS_ADMIN_KEY,
        rtp_ports=settings.JANUS_RTP_PORTS,
        ice_enforce=settings.JANUS_ICE_ENFORCE,
        events_url=settings.JANUS_EVENTS_URL,
        events_secret=settings.JANUS_EVENTS_SECRET,
    )
    folder = settings.DATA_DIR / "janus"
    config = janus_server.render(janus, folder / "conf")
    command = janus_server.command(config, folder / "conf", folder / "janus.log")
    log = str(folder / "janus.log")
    print(json.dumps({"command": command, "port": janus.http_port, "log": log}))
    return 0


def cmd_worker(options: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from ensemble.core.schedule import start_scheduler

    start_scheduler()
    if settings.REDIS_URL:
        call_command(
            "rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.backend.Job"
        )
    else:
        call_command("db_worker", "--interval", "0.5")
    return 0


def cmd_createadmin(options: argparse.Namespace) -> int:
    setup_django()
    from ensemble.accounts.models import User
    from ensemble.core import audit

    email = options.email.strip().lower()
    if User.objects.filter(email=email).exists():
        print(f"An account {email} exists already: nothing was changed.")
        return 0
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(email, password, full_name=options.name)
    audit.record("accounts.admin_created", target=user, actor_label="ensemble createadmin")
    print(f"Operator account created: {email}")
    print(f"Password (shown once, write it down): {password}")
    return 0


def cmd_check(options: argparse.Namespace) -> int:
    try:
        setup_django()
    except Exception as error:  # a configuration error: say it plainly
        print(f"configuration   FAIL  {error}")
        return 1
    from django.conf import settings
    from django.core.management import call_command

    from ensemble.core.checks import run_engine_checks
    from ensemble.core.scanner import status as scanner_status

    mode = "production" if settings.PRODUCTION else "embedded default"
    print(f"configuration   ok    {mode} mode, data in {settings.DATA_DIR}")
    if settings.DATA_DIR.is_dir():
        opened = settings.DATA_DIR.stat().st_mode & 0o077
        note = f"mode {settings.DATA_DIR.stat().st_mode & 0o777:o}"
        print(
            f"{'data folder':<15} {'WARN' if opened else 'ok  '}  {note}"
            + (", readable by other users: chmod 700 it" if opened else "")
        )
    try:
        call_command("check", "--fail-level", "ERROR", verbosity=0)
        print("django checks   ok")
    except Exception as error:
        print(f"django checks   FAIL  {error}")
        return 1
    ok = True
    for result in run_engine_checks():
        ok &= result.ok
        print(f"{result.name:<15} {'ok  ' if result.ok else 'FAIL'}  {result.detail}")
    scanned, note = scanner_status()
    print(f"{'malware scan':<15} {'ok  ' if scanned else 'WARN'}  {note}")
    if ok:
        from ensemble.core.models import TaskFailure

        failed = TaskFailure.objects.filter(resolved=False).count()
        note = f"{failed} failed, see /admin/core/taskfailure/" if failed else "none failed"
        print(f"{'background jobs':<15} {'ok  ' if not failed else 'WARN'}  {note}")
    return 0 if ok else 1


def cmd_audit(options: argparse.Namespace) -> int:
    setup_django()
    from ensemble.core import audit
    from ensemble.core.models import AuditEntry

    if options.audit_command == "verify":
        result = audit.verify()
        if result.ok:
            print(f"The audit log is intact: {result.checked} entries checked.")
            return 0
        print(f"The audit log is NOT intact: {result.reason}.", file=sys.stderr)
        print(
            f"First bad entry: #{result.first_bad_position} "
            f"({result.checked} entries before it are intact).",
            file=sys.stderr,
        )
        return 2
    output = open(options.output, "w", encoding="utf-8") if options.output else sys.stdout  # noqa: SIM115
    try:
        for line in audit.export_lines(AuditEntry.objects.all()):
            output.write(line)
    finally:
        if output is not sys.stdout:
            output.close()
    return 0


def cmd_rotate_keys(options: argparse.Namespace) -> int:
    setup_django()
    from ensemble.core.keys import rotate_all

    rewrapped, current = rotate_all(print)
    print(f"{rewrapped} file(s) re-wrapped, {current} already on the current key.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ensemble", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="command")
    serve = commands.add_parser("serve", help="run the whole suite")
    serve.add_argument("--host", default=os.environ.get("ENSEMBLE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ENSEMBLE_PORT", "8000")))
    commands.add_parser("worker", help="run the background-job worker")
    commands.add_parser("janus-plan")  # for `serve`: how to run the embedded Janus
    admin = commands.add_parser("createadmin", help="create an operator account")
    admin.add_argument("--email", default="admin@localhost")
    admin.add_argument("--name", default="Administrator")
    commands.add_parser("check", help="check configuration and engines")
    audit = commands.add_parser("audit", help="verify or export the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="check the hash chain")
    export = audit_commands.add_parser("export", help="write JSON lines")
    export.add_argument("--output", help="file to write (default: standard output)")
    commands.add_parser("rotate-keys", help="re-wrap file keys with the current master key")
    commands.add_parser("manage", help="run a Django management command", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    # What the suite writes (database, uploads, logs, Janus's configuration with its admin
    # secret) is the service user's only; the processes `serve` starts inherit this.
    os.umask(0o077)
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "manage":
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ensemble manage", *argv[1:]])
        return 0
    parser = build_parser()
    options = parser.parse_args(argv)
    handlers = {
        "serve": cmd_serve,
        "worker": cmd_worker,
        "janus-plan": cmd_janus_plan,
        "createadmin": cmd_createadmin,
        "check": cmd_check,
        "audit": cmd_audit,
        "rotate-keys": cmd_rotate_keys,
    }
    if options.command is None:
        parser.print_help()
        return 0
    return handlers[options.command](options)


if __name__ == "__main__":
    sys.exit(main())
