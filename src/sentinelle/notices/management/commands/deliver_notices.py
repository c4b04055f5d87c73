"""``manage.py deliver_notices``: a delivery worker loop (or one sweep with ``--once``).

Any number of these can run side by side, on one machine or several: each claims due notices a
batch at a time and never a recipient another worker is sending to (docs/scaling.md, "Delivery").
"""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sentinelle.core.stopping import StopFlag, stop_on_signals
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
        # SIGTERM or SIGINT (systemd, a container stop, Ctrl-C): the worker finishes the notice it is
        # sending, gives the rest of its claimed batch back to the queue and exits, rather than leaving
        # them "sending" until their lease runs out; a second signal ends it as before.
        with stop_on_signals(_Stop(), (signal.SIGTERM, signal.SIGINT), chain=False) as stop:
            while not stop.requested:
                if options["build"]:
                    services.build_notices()
                counts = services.deliver_due(
                    limit=options["limit"] or None, worker=worker, batch=max(1, options["batch"]), stop=stop.asked
                )
                if options["verbosity"] > 1 or options["once"]:
                    self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
                if options["once"]:
                    return
                stop.sleep(options["interval"])
            self.stdout.write("stopped on a signal: the notice being sent was finished, the rest queued again")


class _Stop(StopFlag):
    """Set by SIGTERM or SIGINT (``core.stopping``); the loop's sleep between sweeps ends with it."""

    def sleep(self, seconds: float) -> None:
        """``seconds``, or less when a signal asks to stop (checked every 0.2 s)."""
        end = time.monotonic() + seconds
        while not self.requested and (left := end - time.monotonic()) > 0:
            time.sleep(min(0.2, left))
