"""manage.py refresh_rdap_bootstrap [--dir DIR]: fetch IANA's RDAP bootstrap files (RFC 9224) anew."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.recipients import bootstrap_refresh

IANA = "https://data.iana.org/rdap/"


class Command(BaseCommand):
    help = "Fetch dns.json, ipv4.json and ipv6.json from IANA, check them, and replace the local copies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default="", help="Where to write them (default: SENTINELLE_RDAP_BOOTSTRAP_DIR).")
        parser.add_argument("--source", default=IANA, help=f"Base URL of the files (default {IANA}).")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["dir"] or bootstrap_refresh.configured_dir()
        if not target:
            raise CommandError(
                "set SENTINELLE_RDAP_BOOTSTRAP_DIR (or pass --dir): the files shipped in the package are not rewritten"
            )
        try:
            written = bootstrap_refresh.refresh(options["source"], Path(target))
        except bootstrap_refresh.RefreshFailed as exc:
            raise CommandError(str(exc)) from exc
        for name, publication in written.items():
            self.stdout.write(f"{name}: published {publication or 'without a date'}")
        self.stdout.write(f"RDAP bootstrap files written to {target}.")
