"""Background jobs run on the configured backend (database, or RQ on Redis), are retried with
backoff, and a job that fails every attempt is recorded for operators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from ensemble.core.models import TaskFailure
from ensemble.core.tasks import background_task, retry_delay

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS: dict[str, int] = {}


@background_task(max_attempts=3)
def flaky(key: str, failures: int) -> str:
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if ATTEMPTS[key] <= failures:
        raise ConnectionError(f"engine unreachable (attempt {ATTEMPTS[key]})")
    return "done"


def run_worker() -> None:
    """Run the configured worker until no job is left (in this process)."""
    for _ in range(5):
        if settings.REDIS_URL:
            call_command(
                "rqworker",
                "default",
                "--burst",
                "--with-scheduler",
                "--worker-class",
                "rq.worker.SimpleWorker",
                "--job-class",
                "django_tasks_rq.backend.Job",
            )
        else:
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.fixture(autouse=True)
def _no_waiting(settings: Any) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 0
    ATTEMPTS.clear()
    if settings.REDIS_URL:
        import django_rq

        django_rq.get_connection("default").flushdb()


def test_a_job_that_fails_then_succeeds_is_retried() -> None:
    flaky.enqueue("a", 2)
    run_worker()
    assert ATTEMPTS["a"] == 3
    assert not TaskFailure.objects.exists()


def test_a_job_that_always_fails_is_recorded_for_operators() -> None:
    flaky.enqueue("b", 99)
    run_worker()
    assert ATTEMPTS["b"] == 3  # max_attempts, not more
    failure = TaskFailure.objects.get()
    assert failure.task.endswith("flaky")
    assert failure.attempts == 3
    assert failure.arguments == {"args": ["b", 99], "kwargs": {}}
    assert "engine unreachable (attempt 3)" in failure.error


def test_backoff_doubles(settings: Any) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 10
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
    ]
