"""How many accepted links got a notice out, and which platforms have no working channel."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sentinelle.desk.selectors import registry_coverage


class Command(BaseCommand):
    help = (
        "Over the last N days (30): the share of accepted links whose notice left, and the platforms "
        "without a working channel, sorted by link count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--limit", type=int, default=50, help="platforms listed (default 50)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["limit"] < 1:
            self.stderr.write("--days and --limit must be at least 1")
            raise SystemExit(2)
        report = registry_coverage(options["days"], limit=options["limit"])
        self.stdout.write(
            f"Last {report.days} days: {report.left} of {report.accepted} accepted link(s) had a notice leave "
            f"({report.share:.1%})."
        )
        if not report.rows:
            self.stdout.write("Every accepted link had its notice leave.")
            return
        self.stdout.write(f"{'links':>7}  {'channel now':<12} platform or site")
        for row in report.rows:
            self.stdout.write(f"{row.links:>7}  {row.channel:<12} {row.name}")
