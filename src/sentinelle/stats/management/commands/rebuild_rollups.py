"""Empty the dashboards' daily roll-ups and count every day again from the links, notices and answers."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from sentinelle.stats import services


class Command(BaseCommand):
    help = "Rebuild the dashboards' daily roll-up tables from the links, notices and answers."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = services.rebuild_rollups()
        services.settle_rollups()
        self.stdout.write(
            f"{result.links} links over {result.cohort_days} days counted "
            f"({result.event_days} days of notices and answers) in {time.perf_counter() - started:.1f} s"
        )
