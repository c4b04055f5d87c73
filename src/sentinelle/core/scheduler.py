"""Periodic work: which task runs how often, and the loop that enqueues them.

The Django tasks API has no periodic scheduler, so one small process (``manage.py
run_scheduler``) enqueues each periodic task when it falls due; the workers run them. Run one
scheduler per installation: two would enqueue everything twice (harmless — every periodic task
is idempotent — but wasteful).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string

from sentinelle import conf

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task_path: str
    every_seconds: int


def periodic_tasks() -> list[Periodic]:
    return [Periodic(path, int(seconds)) for path, seconds in conf.periodic_tasks().items()]


class Scheduler:
    def __init__(self, tasks: list[Periodic], clock: Callable[[], float] = time.monotonic) -> None:
        self.tasks = tasks
        self.clock = clock
        self.next_run: dict[str, float] = {t.task_path: 0.0 for t in tasks}

    def tick(self) -> list[str]:
        """Enqueue every task that is due; return their paths."""
        now = self.clock()
        enqueued = []
        for periodic in self.tasks:
            if now < self.next_run[periodic.task_path]:
                continue
            self.next_run[periodic.task_path] = now + periodic.every_seconds
            try:
                import_string(periodic.task_path).enqueue()
            except Exception:  # one failing task must not stop the others
                logger.exception("could not enqueue %s", periodic.task_path)
                continue
            enqueued.append(periodic.task_path)
        return enqueued

    def seconds_to_next(self) -> float:
        return max(0.0, min(self.next_run.values(), default=60.0) - self.clock())
