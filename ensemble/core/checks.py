"""Checks that each configured engine answers, for /readyz and ``ensemble check``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tasks import default_task_backend


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"{connection.vendor} answers"


def check_migrations() -> str:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(
            f"{len(pending)} migration(s) not applied: run `ensemble manage migrate`"
        )
    return "the schema is up to date"


def check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")

    async def round_trip() -> None:
        channel = await layer.new_channel()
        try:
            await layer.send(channel, {"type": "ping"})
            await layer.receive(channel)
        finally:  # or its queue stays in the server's event loop, one more at every check
            await layer.forget(channel)

    async_to_sync(round_trip)()
    return f"{type(layer).__name__} delivers messages"


def check_storage() -> str:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ready"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ready":
                raise RuntimeError("a file read back differs from what was written")
    finally:
        default_storage.delete(name)
    return f"encrypted {type(default_storage.inner).__name__} writes and reads"  # type: ignore[attr-defined]


def check_tasks() -> str:
    backend = default_task_backend
    if settings.REDIS_URL:
        import django_rq

        django_rq.get_connection("default").ping()
        return "RQ on Redis answers"
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.exists()
    return f"{type(backend).__name__} answers"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "channel_layer": check_channel_layer,
    "storage": check_storage,
    "tasks": check_tasks,
}


def run_engine_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            detail = check()
            ok = True
        except Exception as error:
            ok, detail = False, f"{type(error).__name__}: {error}"
        elapsed = (time.monotonic() - started) * 1000
        results.append(CheckResult(name, ok, f"{detail} ({elapsed:.0f} ms)"))
    return results
