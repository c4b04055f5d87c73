"""Background work of the investigations app (thin: load by id, call a service)."""

from __future__ import annotations

from django_tasks import task

from sentinelle.investigations.services import evidence


@task()
def capture_evidence(evidence_id: int) -> str:
    """Runs one queued capture; a finished one is left as it is."""
    return evidence.run_capture(evidence_id).status
