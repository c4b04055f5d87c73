from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.management.commands._common import actor, add_actor_argument
from sentinelle.investigations.services import dossiers


class Command(BaseCommand):
    help = "Open (or find) the dossier of a site's domains and print its id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domains", nargs="+", metavar="DOMAIN")
        parser.add_argument("--name", default="", help="the dossier's name (default: the first domain)")
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            site = dossiers.open_dossier(options["domains"], actor=actor(options["actor"]), name=options["name"])
        except InvestigationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(str(site.pk))
