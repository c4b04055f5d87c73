from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.investigations import selectors
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.management.commands._common import actor, add_actor_argument, dossier
from sentinelle.investigations.services import damages


class Command(BaseCommand):
    help = (
        "Print a dossier's damage estimate (low, central, high) with its inputs, their sources and the "
        "arithmetic. With --inputs FILE.json ({name: {value, source}}), record a new estimate first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", type=int, metavar="ID")
        parser.add_argument("--inputs", type=Path, help="a JSON file of inputs for a new estimate")
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = dossier(options["dossier"])
        if options["inputs"]:
            try:
                inputs = json.loads(options["inputs"].read_text())
                damages.assess(site, inputs, actor=actor(options["actor"]))
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"cannot read {options['inputs']}: {exc}") from None
            except InvestigationError as exc:
                raise CommandError(exc.message) from None
        assessment = selectors.latest_assessment(site)
        if assessment is None:
            raise CommandError(f"dossier {site.pk} has no damage estimate yet (give --inputs FILE.json)")
        estimate = damages.recompute(assessment)
        out = self.stdout.write
        out(f"low\tEUR {estimate.low:.2f}")
        out(f"central\tEUR {estimate.central:.2f}")
        out(f"high\tEUR {estimate.high:.2f}")
        for name, item in assessment.inputs.items():
            out(f"input\t{name}\t{item['value']}\t{item['source']}")
        for line in estimate.arithmetic:
            out(f"arithmetic\t{line}")
