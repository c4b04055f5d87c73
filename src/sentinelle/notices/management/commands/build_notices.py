"""``manage.py build_notices``: group the due links into notices (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentinelle.notices import services


def part_of(text: str) -> tuple[int, int]:
    """``"k/K"`` → (k, K), with 0 ≤ k < K."""
    try:
        part, parts = (int(n) for n in text.split("/"))
    except ValueError as exc:
        raise CommandError(f"--part takes k/K (e.g. 0/4), not {text!r}") from exc
    if not 0 <= part < parts:
        raise CommandError(f"--part {text}: k must be from 0 to K - 1")
    return part, parts


class Command(BaseCommand):
    help = "Group accepted and escalated links into notices per recipient, action, regime, language and level."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--part",
            default="0/1",
            help="k/K: build only the sites of part k of K (run K builders side by side, one per part).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        part, parts = part_of(options["part"])
        result = services.build_notices(part=part, parts=parts)
        self.stdout.write(
            f"{len(result.notices)} notice(s) built with {result.items} address(es) "
            f"covering {result.links} link(s); {len(result.unroutable)} link(s) without a recipient."
        )
