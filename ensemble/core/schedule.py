"""Periodic background jobs: each registered task is enqueued once per period, whatever the
number of worker processes (a row per job, locked while deciding)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ensemble.core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task: Any  # a django_tasks Task taking no argument
    every: timedelta


SCHEDULE: dict[str, Periodic] = {}


def every(period: timedelta) -> Any:
    """Decorator for a background task: run it every ``period``."""

    def register(task: Any) -> Any:
        SCHEDULE[task.module_path] = Periodic(task, period)
        return task

    return register


def enqueue_due() -> list[str]:
    """Enqueue every periodic job whose period has passed; return their names."""
    enqueued = []
    now = timezone.now()
    for name, periodic in SCHEDULE.items():
        with transaction.atomic():
            PeriodicJob.objects.get_or_create(name=name)
            job = PeriodicJob.objects.select_for_update().get(name=name)
            if job.last_enqueued_at and now - job.last_enqueued_at < periodic.every:
                continue
            periodic.task.enqueue()
            job.last_enqueued_at = now
            job.save(update_fields=["last_enqueued_at"])
            enqueued.append(name)
    return enqueued


def start_scheduler(interval: float = 60.0) -> threading.Event:
    """Check for due jobs every ``interval`` seconds in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        from django.db import close_old_connections

        while not stop.is_set():
            try:
                enqueue_due()
            except Exception:  # the database may be briefly away; try again next round
                logger.exception("could not enqueue periodic jobs")
            finally:
                close_old_connections()
            stop.wait(interval)

    threading.Thread(target=loop, name="ensemble-scheduler", daemon=True).start()
    return stop
