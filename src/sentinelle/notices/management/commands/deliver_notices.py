"""``manage.py deliver_notices``: a delivery worker loop (or one sweep with ``--once``).

Any number of these can run side by side, on one machine or several: each claims due notices a
batch at a time and never a recipient another worker is sending to (docs/scaling.md, "Delivery").
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sentinelle.notices import services


class Command(BaseCommand):
    help = "Deliver due notices: re-check those left 'sending' by a dead worker, then send each due one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One sweep, then exit.")
        parser.add_argument("--limit", type=int, default=0, help="At most this many notices per sweep.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between sweeps.")
        parser.add_argument(
            "--batch", type=int, default=services.CLAIM_BATCH, help="Notices claimed at a time (default %(default)s)."
        )
        parser.add_argument("--build", action="store_true", help="Build notices before each sweep.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        with _stop_on_signals() as stopping:
            while not stopping.is_set():
                if options["build"]:
                    services.build_notices()
                counts = services.deliver_due(
                    limit=options["limit"] or None, worker=worker, batch=max(1, options["batch"]), stop=stopping.is_set
                )
                if options["verbosity"] > 1 or options["once"]:
                    self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
                if options["once"]:
                    return
                stopping.wait(options["interval"])
            self.stdout.write("stopped on a signal: the notice being sent was finished, the rest queued again")


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (systemd, a container stop, Ctrl-C): the worker finishes the
    notice it is sending, gives the rest of its claimed batch back to the queue and exits, rather than
    leaving them "sending" until their lease runs out. A second signal acts as it did before (ends the
    process); the handlers before are put back on the way out."""
    stopping = threading.Event()
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        stopping.set()
        signal.signal(signum, previous[signum])

    if threading.current_thread() is threading.main_thread():
        for wanted in (signal.SIGTERM, signal.SIGINT):
            previous[wanted] = signal.signal(wanted, handler)
    try:
        yield stopping
    finally:
        for signum, former in previous.items():
            signal.signal(signum, former)
