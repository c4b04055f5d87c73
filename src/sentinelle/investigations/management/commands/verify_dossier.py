from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.investigations import dossierzip, signing, timestamps


class Command(BaseCommand):
    help = (
        "Check an exported dossier: every hash, the signatures, the time-stamps and the chain of custody. "
        "Exit 0 when intact; otherwise names what was altered and exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("zip", type=Path, metavar="ZIP")
        parser.add_argument(
            "--public-key",
            type=Path,
            help="the society's public key (PEM); default: this installation's key, when it has one",
        )
        parser.add_argument(
            "--tsa-roots", type=Path, help="the time-stamping authority's root(s) (PEM); default: SENTINELLE_TSA_ROOTS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = _read(options["public_key"])
        if key is None and signing.key_path().exists():
            key = signing.public_pem(signing.society_public_key()).encode("ascii")
        roots = _read(options["tsa_roots"]) or timestamps.configured_roots()
        report = dossierzip.verify_zip(options["zip"], trusted_key_pem=key, tsa_roots_pem=roots)
        for note in report.notes:
            self.stdout.write(f"ok: {note}")
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(f"ALTERED: {problem}")
            raise CommandError(f"{len(report.problems)} problem(s): " + "; ".join(report.problems), returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{options['zip']}: intact"))


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
