"""Background jobs on the Django Tasks API, with retries and visible failures.

``@background_task`` makes a task whose failures are retried with exponential backoff
(TASK_MAX_ATTEMPTS attempts, TASK_RETRY_BASE_SECONDS * 2^n apart); after the last attempt the
failure is stored as a TaskFailure, which operators see in the admin and in ``ensemble check``.
Arguments must be JSON values, as the Tasks API requires.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from ensemble.core.models import TaskFailure

logger = logging.getLogger(__name__)
ATTEMPT_KWARG = "_attempt"


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based)."""
    return timedelta(seconds=settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def background_task(
    function: Callable[..., Any] | None = None, *, max_attempts: int | None = None
) -> Any:
    def decorate(func: Callable[..., Any]) -> Task[Any, Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt: int = kwargs.pop(ATTEMPT_KWARG, 1)
            limit = max_attempts or settings.TASK_MAX_ATTEMPTS
            try:
                return func(*args, **kwargs)
            except Exception as error:
                if attempt < limit:
                    delay = retry_delay(attempt)
                    logger.warning(
                        "task %s failed (attempt %s of %s), retrying in %ss: %s",
                        func.__qualname__,
                        attempt,
                        limit,
                        delay.total_seconds(),
                        error,
                    )
                    job.using(run_after=timezone.now() + delay).enqueue(
                        *args, **kwargs, **{ATTEMPT_KWARG: attempt + 1}
                    )
                    return None
                logger.error("task %s failed for good after %s attempts", func.__qualname__, limit)
                TaskFailure.objects.create(
                    task=f"{func.__module__}.{func.__qualname__}",
                    arguments={"args": list(args), "kwargs": kwargs},
                    attempts=attempt,
                    error="".join(traceback.format_exception(error))[-20000:],
                )
                raise

        job: Task[Any, Any] = task(run)
        return job

    return decorate(function) if function is not None else decorate
