from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.management.commands._common import actor, add_actor_argument, dossier
from sentinelle.investigations.services import evidence


class Command(BaseCommand):
    help = "Capture evidence of addresses for a dossier (WARC, screenshot, signed manifest); prints each capture."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", type=int, required=True, metavar="ID")
        parser.add_argument("urls", nargs="+", metavar="URL")
        parser.add_argument("--no-screenshot", action="store_true", help="skip the browser screenshot")
        parser.add_argument("--enqueue", action="store_true", help="queue the captures for the task workers instead")
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = dossier(options["dossier"])
        try:
            rows = evidence.request_captures(site, options["urls"], actor=actor(options["actor"]))
        except InvestigationError as exc:
            raise CommandError(exc.message) from None
        if options["enqueue"]:
            for row in rows:
                evidence.enqueue_captures([row])
                self.stdout.write(f"{row.pk}\tqueued\t{row.url}")
            return
        failed = 0
        for row in rows:
            done = evidence.run_capture(row.pk, screenshot=False if options["no_screenshot"] else None)
            failed += done.status != "done"
            detail = done.manifest_sha256 if done.status == "done" else done.error
            self.stdout.write(f"{done.pk}\t{done.status}\t{done.url}\t{detail}")
        if failed:
            raise CommandError(f"{failed} of {len(rows)} captures failed")
