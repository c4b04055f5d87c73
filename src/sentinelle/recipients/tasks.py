"""Background work of recipient discovery (thin: each task calls one service)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sentinelle.recipients import services
from sentinelle.recipients.models import DomainDiscovery


@task()
def discover_domain(discovery_id: int) -> dict[str, Any]:
    """Discover one domain now, unless another worker holds it or it is no longer due."""
    row = DomainDiscovery.objects.filter(pk=discovery_id).first()
    if row is None:
        return {"domains": 0}
    claimed = services.claim_due_ids([row.pk])
    return services.run_discovery(claimed).as_dict()


@task()
def discover_pending(limit: int | None = None) -> dict[str, Any]:
    """Every domain whose discovery is due (new, expired, or a failure whose backoff has passed)."""
    return services.run_due(limit=limit).as_dict()
