"""What import_cwr and import_works_csv share: progress bar, report, exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sentinelle.catalogue.services import BATCH_SIZE, ImportReport, Progress

EXIT_OK = 0
EXIT_BAD_RECORDS = 1
EXIT_UNREADABLE = 2


class ImportCommand(BaseCommand):
    unit = "lines"
    importer: Callable[..., ImportReport]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar on stderr.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help=f"Works written per transaction (default {BATCH_SIZE}); a failing batch is retried work by work.",
        )

    def count_units(self, path: Path) -> int:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                sys.exit(EXIT_UNREADABLE)
        total = ImportReport()
        unreadable = False
        for path in paths:
            try:
                size = self.count_units(path)
                bar = tqdm(
                    total=size, unit=self.unit, desc=path.name, file=sys.stderr,
                    disable=options["no_progress"], leave=False,
                )  # fmt: skip
                progress: Progress = bar.update  # type: ignore[assignment]
                with bar:
                    report = type(self).importer(path, progress=progress, batch_size=max(1, options["batch_size"]))
            except OSError as exc:
                self.stderr.write(f"{path}: cannot be read: {exc.strerror or exc}")
                unreadable = True
                continue
            total.add(report)
            for issue in report.errors:
                self.stdout.write(f"{issue}")
            for issue in report.warnings:
                self.stdout.write(f"{issue.file}:{issue.line}: warning: {issue.message}")
        self.stdout.write(total.summary())
        if unreadable:
            sys.exit(EXIT_UNREADABLE)
        if total.errors:
            sys.exit(EXIT_BAD_RECORDS)
