"""Read bounces (DSNs) now: from a Maildir (default SENTINELLE_BOUNCE_MAILDIR) or from message files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle import conf
from sentinelle.notices.services import bounces


class Command(BaseCommand):
    help = (
        "Read the bounces (delivery status notifications) of notices: each bounced notice's contact becomes "
        "suspect and the notice moves to the next contact. Reads the Maildir SENTINELLE_BOUNCE_MAILDIR "
        "(or --maildir), or the message files given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="message files (.eml), read instead of the Maildir")
        parser.add_argument("--maildir", default="", help="a Maildir (its new messages are read once)")

    def handle(self, *args: Any, **options: Any) -> None:
        files = [Path(f) for f in options["files"]]
        if files:
            missing = [str(f) for f in files if not f.is_file()]
            if missing:
                raise CommandError(f"no such file: {', '.join(missing)}")
            report = bounces.read_bounces(f.read_bytes() for f in files)
        else:
            path = options["maildir"] or conf.bounce_maildir()
            if not path:
                raise CommandError("give message files, --maildir DIR, or set SENTINELLE_BOUNCE_MAILDIR")
            if not Path(path, "new").is_dir():
                raise CommandError(f"not a Maildir (no new/ folder): {path}")
            report = bounces.read_maildir(path)
        self.stdout.write(
            f"{report.read} message(s) read, {report.bounces} bounce(s), {len(report.recorded)} notice(s) "
            f"moved to their next contact or held."
        )
        for message_id in report.unmatched:
            self.stdout.write(f"  not one of our notices: {message_id}")
