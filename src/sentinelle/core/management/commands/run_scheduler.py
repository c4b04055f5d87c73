import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from sentinelle.core.scheduler import Scheduler, periodic_tasks


class Command(BaseCommand):
    help = "Enqueue the periodic tasks (notice building and delivery, link checks, digests) when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = Scheduler(periodic_tasks())
        while True:
            for path in scheduler.tick():
                self.stdout.write(f"enqueued {path}")
            if options["once"]:
                return
            # A long-lived process: drop a connection the database has closed or that is too old.
            close_old_connections()
            time.sleep(min(30.0, max(1.0, scheduler.seconds_to_next())))
