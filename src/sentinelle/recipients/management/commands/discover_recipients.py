"""manage.py discover_recipients [--domain D …] [--pending] [--limit N]: find who can act on sites, now."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sentinelle.recipients import selectors, services
from sentinelle.recipients.engine import DomainReport


class Command(BaseCommand):
    help = "Discover the contacts of registrable domains (the due ones with --pending, or the named ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--domain", action="append", default=[], help="A registrable domain (repeatable).")
        parser.add_argument("--pending", action="store_true", help="Every domain whose discovery is due.")
        parser.add_argument("--limit", type=int, default=None, help="With --pending: at most this many domains.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["domain"] and not options["pending"]:
            raise CommandError("name a domain with --domain, or ask for the due ones with --pending")
        try:
            rows = services.claim_domains(options["domain"]) if options["domain"] else []
        except services.InvalidDomain as exc:
            raise CommandError(str(exc)) from exc
        if options["pending"]:
            rows += services.claim_due(options["limit"])
        bar: tqdm[Any] = tqdm(total=len(rows), unit="domain", disable=options["no_progress"], file=sys.stderr)

        def on_done(report: DomainReport) -> None:
            bar.update(1)

        try:
            summary = services.run_discovery(rows, on_done=on_done)
        finally:
            bar.close()
        self.stdout.write(
            f"{summary.domains} domain(s): {summary.with_contact} with a contact, "
            f"{len(summary.without_contact)} without, {len(summary.retrying)} to retry later."
        )
        for domain in summary.without_contact:
            status = selectors.discovery_status(domain)
            self.stdout.write(f"  {domain}: {status.summary}")
