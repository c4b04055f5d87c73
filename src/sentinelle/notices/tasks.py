"""Background work of the notices app (thin: each task loads by id and calls one service)."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from sentinelle.notices import services


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def build_notices() -> int:
    """Periodic: turn due links into notices (their deliveries are enqueued on commit)."""
    return len(services.build_notices().notices)


@task()
def deliver_notice(notice_id: int) -> str:
    """One attempt at one notice; exits at once if it is not due (delivered, failed, being sent)."""
    return services.deliver_notice(notice_id, worker=_worker())


@task()
def deliver_due_notices() -> dict[str, int]:
    """Periodic sweep: notices whose worker died, and retries whose time has come."""
    return services.deliver_due(worker=_worker())
