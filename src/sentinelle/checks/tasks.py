"""Background work of the checks app (thin: each task calls one service)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sentinelle.checks import services


@task()
def run_due_checks(limit: int | None = None) -> dict[str, Any]:
    """Fetch the links due for a check, record the verdicts, escalate the overdue ones."""
    return services.run_checks(limit=limit).as_dict()
