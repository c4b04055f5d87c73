"""import_links FILE --member N: a crawler's or partner's links, through the intake's judge, in chunks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from sentinelle.members.models import Member
from sentinelle.takedowns.services.bulk import CHUNK_SIZE, ImportFileError, ImportReport, import_links, read_rows

EXIT_OK = 0
EXIT_BAD_LINES = 1
EXIT_STOPPED = 2


class Command(BaseCommand):
    help = (
        "Import reported links for one member from a CSV file (header: work,url,action) or JSON lines "
        '({"work": …, "url": …, "action": …}); work = id, ISWC or society work code of one of the member\'s '
        "works; action = remove, delist or both. Outside the daily quota; a re-run recognises what was imported. "
        "Exit status: 0 every line imported or already reported, 1 some lines were not (listed), "
        "2 the file is unreadable or the import stopped (run it again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="CSV or JSON-lines file; - reads standard input.")
        parser.add_argument(
            "--member", required=True, metavar="NUMBER", help="Member number (or account e-mail) the links are for."
        )
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, metavar="N", help="Rows per transaction.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar on stderr.")

    def handle(self, *args: Any, **options: Any) -> None:
        member = _member(options["member"])
        path = options["file"]
        try:
            if path == "-":
                self._run(member, sys.stdin, None, options)
            else:
                with Path(path).open("rb") as raw:
                    total = sum(1 for _line in raw)
                with Path(path).open(encoding="utf-8-sig", newline="") as fh:
                    self._run(member, fh, total, options)
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"{path}: cannot be read: {exc}")
            sys.exit(EXIT_STOPPED)

    def _run(self, member: Member, stream: Any, total: int | None, options: dict[str, Any]) -> None:
        bar = tqdm(total=total, unit="lines", file=sys.stderr, disable=options["no_progress"], leave=False)
        report = ImportReport()
        try:
            with bar:
                rows = read_rows(stream)
                import_links(member, rows, chunk_size=options["chunk_size"], progress=bar.update, report=report)
        except ImportFileError as exc:
            self.stderr.write(f"{options['file']}: {exc}; nothing was imported.")
            sys.exit(EXIT_STOPPED)
        except (OSError, UnicodeDecodeError):
            self._tell(report)  # the chunks read before the fault were written
            raise  # handle() says the file cannot be read
        except DatabaseError as exc:
            self._tell(report)  # what was written before the chunk that failed, and where it stopped
            self.stderr.write(
                f"The import stopped on a database error ({exc}). The chunks before it were written; "
                "run the same command again: what was imported is recognised as already reported."
            )
            sys.exit(EXIT_STOPPED)
        self._tell(report)
        if report.problems:
            sys.exit(EXIT_BAD_LINES)

    def _tell(self, report: ImportReport) -> None:
        for problem in report.problems:
            self.stdout.write(str(problem))
        self.stdout.write(report.summary())


def _member(text: str) -> Member:
    member = Member.objects.select_related("user").filter(member_number=text).first()
    if member is None and "@" in text:
        member = Member.objects.select_related("user").filter(user__email__iexact=text).first()
    if member is None:
        raise CommandError(f"No member with the number or e-mail {text!r}.")
    return member
