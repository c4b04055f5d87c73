"""Long work told to stop by a signal (SIGTERM from systemd or a container, SIGINT from Ctrl-C).

Two users: the ``deliver_notices`` loop, which handles the signals itself, and the delivery sweep
run as a task by a worker that has its own graceful-stop handler (``db_worker``), which is chained
to: the worker still learns of the signal and stops after the task, the task learns of it too.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

# The signals by which a task worker asks its running task, or itself, to stop: db_worker stops
# gracefully on SIGTERM, SIGINT and SIGQUIT; RQ's HerokuWorker tells its work horse with SIGRTMIN.
WORKER_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGRTMIN") if hasattr(signal, name)
)


class StopFlag:
    """Set by a signal. A plain flag: a signal handler must take no lock (one the main thread may
    hold when the signal arrives, as ``threading.Event`` does while it waits)."""

    requested = False

    def asked(self) -> bool:
        return self.requested


Flag = TypeVar("Flag", bound=StopFlag)


@contextlib.contextmanager
def stop_on_signals(flag: Flag, signums: tuple[int, ...], *, chain: bool) -> Iterator[Flag]:
    """Within the block, the first of ``signums`` to arrive sets ``flag.requested`` and puts the
    former handlers back, so a second signal acts as it did before the block (ends the process).

    ``chain``: the former handler of that signal is then called too (a worker's own graceful stop),
    and a signal whose former handler is no Python function (the default action, ignored: RQ's work
    horse) is left as it is, so the block never changes how the process ends. Nothing is installed
    outside the main thread (Python sets handlers there only). Leaving the block puts back the
    former handlers still replaced, not one the chained handler has set meanwhile.
    """
    previous: dict[int, Any] = {}

    def restore() -> None:
        for signum, former in previous.items():
            if signal.getsignal(signum) is handler:
                signal.signal(signum, former)

    def handler(signum: int, frame: Any) -> None:
        flag.requested = True
        restore()
        former = previous.get(signum)
        if chain and callable(former):
            former(signum, frame)

    if threading.current_thread() is threading.main_thread():
        for signum in signums:
            if chain and not callable(signal.getsignal(signum)):
                continue
            previous[signum] = signal.signal(signum, handler)
    try:
        yield flag
    finally:
        restore()
