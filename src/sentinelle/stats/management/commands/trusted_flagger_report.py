"""The DSA art. 22(3) report for a year, as CSV, HTML or PDF (docs/stats.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.stats import dsa, dsa_render
from sentinelle.stats.forms import MAX_YEAR, MIN_YEAR


class Command(BaseCommand):
    help = "Write the trusted flagger's yearly report (DSA art. 22(3)) as CSV, HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the calendar year (society's time zone)")
        parser.add_argument("--format", choices=dsa_render.FORMATS, required=True)
        parser.add_argument("--out", required=True, help="the file to write; '-' for standard output (csv, html)")

    def handle(self, *args: Any, **options: Any) -> None:
        year, fmt, out = options["year"], options["format"], options["out"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"--year must be from {MIN_YEAR} to {MAX_YEAR}, not {year}")
        if out == "-" and fmt == "pdf":
            raise CommandError("a PDF goes to a file: give --out FILE.pdf")
        report = dsa.dsa_report(year)
        body = dsa_render.render_report(report, fmt)
        if out == "-":
            sys.stdout.write(body.decode("utf-8"))
            return
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"no such folder: {path.parent}")
        path.write_bytes(body)
        self.stderr.write(f"{report.notices} notices, {report.links} links in {year}: wrote {path} ({fmt})")
