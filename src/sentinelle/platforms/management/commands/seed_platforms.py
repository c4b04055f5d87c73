"""``manage.py seed_platforms``: load the shipped platform registry seed, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sentinelle.platforms.services import SeedError, load_seed_file, seed_platforms


class Command(BaseCommand):
    help = (
        "Create or update the platform registry from the seed shipped with Sentinelle. "
        "Safe to run again: staff's edits (licensed, contacts, any seeded field, removed domains) "
        "are kept unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=None, help="a seed JSON file (default: the shipped one)")
        parser.add_argument("--force", action="store_true", help="overwrite staff's edits of seeded fields and domains")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = load_seed_file(options["file"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            report = seed_platforms(data["platforms"], force=options["force"])
            if options["dry_run"]:
                transaction.set_rollback(True)
        verbosity = options["verbosity"]
        prefix = "[dry run] " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}Platforms: {report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
            f"domains: {report.domains_created} created, {report.domains_deleted} deleted."
        )
        if report.kept_edits:
            self.stdout.write(f"{len(report.kept_edits)} staff edit(s) kept (use --force to overwrite them).")
            if verbosity > 1:
                for line in report.kept_edits:
                    self.stdout.write(f"  kept: {line}")
        if report.skipped_domains:
            self.stdout.write(f"{len(report.skipped_domains)} seeded domain(s) left as staff set them.")
            if verbosity > 1:
                for line in report.skipped_domains:
                    self.stdout.write(f"  skipped: {line}")
        for line in report.errors:
            self.stderr.write(f"error: {line}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} seed entr(y/ies) not loaded")
