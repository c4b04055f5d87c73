"""``manage.py build_notices``: group the due links into notices (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sentinelle.notices import services


class Command(BaseCommand):
    help = "Group accepted and escalated links into notices per recipient, action, regime, language and level."

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.build_notices()
        self.stdout.write(
            f"{len(result.notices)} notice(s) built with {result.items} address(es) "
            f"covering {result.links} link(s); {len(result.unroutable)} link(s) without a recipient."
        )
