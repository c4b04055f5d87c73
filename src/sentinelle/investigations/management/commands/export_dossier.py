from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.management.commands._common import actor, add_actor_argument, dossier
from sentinelle.investigations.services import export


class Command(BaseCommand):
    help = "Export a dossier for a judicial file: a ZIP with the report, evidence, signed manifest and custody log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", type=int, metavar="ID")
        parser.add_argument("out", type=Path, metavar="OUT.zip")
        parser.add_argument(
            "--reason",
            default="exported with the export_dossier command",
            help="why, and for whom (recorded in the chain of custody)",
        )
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = dossier(options["dossier"])
        try:
            result = export.export_dossier(
                site, options["out"], actor=actor(options["actor"]), reason=options["reason"]
            )
        except InvestigationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{result.path}\t{result.files} files\tsha256 {result.sha256}\texport {result.export_id}")
