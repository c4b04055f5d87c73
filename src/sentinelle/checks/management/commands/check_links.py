"""manage.py check_links [--due | --all] [--limit N] [--dry-run]: verify reported links now, with a
progress bar; ``--dry-run`` prints each verdict and records nothing (a rehearsal)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sentinelle.checks import services
from sentinelle.checks.engine import Outcome


class Command(BaseCommand):
    help = "Fetch reported links (the due ones by default), record the verdicts and escalate the overdue ones."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--due", action="store_true", help="Only the links whose next check is due (default).")
        which.add_argument("--all", action="store_true", help="Every followed or watched link, due or not.")
        parser.add_argument("--limit", type=int, default=None, help="At most this many links.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and print each verdict (address, verdict, rule); record nothing, escalate nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            for outcome in services.rehearse_checks(include_all=options["all"], limit=options["limit"]):
                self.stdout.write(f"{outcome.target.url} {outcome.verdict} {outcome.rule}")
            return
        bar: tqdm[Any] | None = None

        def on_total(total: int) -> None:
            nonlocal bar
            bar = tqdm(total=total, unit="link", disable=options["no_progress"], file=sys.stderr)

        def on_done(outcome: Outcome) -> None:
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(outcome.verdict, refresh=False)

        try:
            summary = services.run_checks(
                include_all=options["all"], limit=options["limit"], on_total=on_total, on_done=on_done
            )
        finally:
            if bar is not None:
                bar.close()
        verdicts = ", ".join(f"{name} {count}" for name, count in sorted(summary.verdicts.items())) or "none"
        self.stdout.write(
            f"{summary.checked} links checked ({verdicts}); {len(summary.removed)} confirmed removed, "
            f"{len(summary.reappeared)} reappeared, {len(summary.escalated)} escalated."
        )
