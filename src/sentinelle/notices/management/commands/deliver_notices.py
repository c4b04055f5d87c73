"""``manage.py deliver_notices``: a delivery worker loop (or one sweep with ``--once``).

Any number of these can run side by side, on one machine or several: each claims due notices a
batch at a time and never a recipient another worker is sending to (docs/scaling.md, "Delivery").
"""

from __future__ import annotations

import os
import socket
import time
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
        while True:
            if options["build"]:
                services.build_notices()
            counts = services.deliver_due(limit=options["limit"] or None, worker=worker, batch=max(1, options["batch"]))
            if options["verbosity"] > 1 or options["once"]:
                self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
            if options["once"]:
                return
            time.sleep(options["interval"])
