"""Background work of the notices app (thin: each task loads by id and calls one service).

The services enqueue ``deliver_notice`` (``services.delivery.enqueue_delivery``), so each task
imports the services inside its function: importing them here, at module level, would make the
cycle services → tasks → services.
"""

from __future__ import annotations

import os
import socket

from django_tasks import task


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def build_notices(part: int = 0, parts: int = 0) -> int:
    """Periodic: turn due links into notices (their deliveries are enqueued on commit).

    Called with no part (the scheduler) and ``SENTINELLE_NOTICE_BUILDERS`` above 1, it queues one
    pass per part instead, which workers run side by side, each on its share of the sites.
    """
    from sentinelle import conf
    from sentinelle.notices import services  # inside: see the module docstring

    if parts == 0 and conf.notice_builders() > 1:
        count = conf.notice_builders()
        for k in range(count):
            build_notices.enqueue(k, count)
        return 0
    return len(services.build_notices(part=part, parts=max(parts, 1)).notices)


@task()
def deliver_notice(notice_id: int) -> str:
    """One attempt at one notice; exits at once if it is not due (delivered, failed, being sent)."""
    from sentinelle.notices import services  # inside: see the module docstring

    return services.deliver_notice(notice_id, worker=_worker())


@task()
def deliver_due_notices() -> dict[str, int]:
    """Periodic sweep: notices whose worker died, and retries whose time has come.

    A worker told to stop while the sweep runs (db_worker: SIGTERM, SIGINT, SIGQUIT; its own handler
    is chained to and still called) stops the sweep as ``deliver_notices`` does: the notice being
    sent is finished, the rest of the claimed batch is queued again at once (docs/notices.md).
    """
    from sentinelle.core.stopping import WORKER_STOP_SIGNALS, StopFlag, stop_on_signals
    from sentinelle.notices import services  # inside: see the module docstring

    with stop_on_signals(StopFlag(), WORKER_STOP_SIGNALS, chain=True) as stop:
        return services.deliver_due(worker=_worker(), stop=stop.asked)


@task()
def read_bounces() -> dict[str, int]:
    """Periodic: the DSNs of SENTINELLE_BOUNCE_MAILDIR, each tied to its notice (nothing when unset)."""
    from sentinelle import conf
    from sentinelle.notices.services import bounces  # inside: see the module docstring

    path = conf.bounce_maildir()
    if not path:
        return {"read": 0, "recorded": 0}
    report = bounces.read_maildir(path)
    return {"read": report.read, "recorded": len(report.recorded)}


@task()
def post_lumen_due() -> dict[str, int]:
    """Periodic: post each sent notice to Lumen, one request per notice (when Lumen is configured)."""
    from sentinelle.notices import services  # inside: see the module docstring

    return services.post_lumen_due()
