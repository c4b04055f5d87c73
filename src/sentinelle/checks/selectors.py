"""Reads of the checks app for the staff's pages and the statistics."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from sentinelle.takedowns.models import LinkEvent, LinkStatus, ReportedLink


def unverifiable_links() -> QuerySet[ReportedLink]:
    """The links no check could settle, oldest first: the staff's work queue closes them by hand."""
    return (
        ReportedLink.objects.filter(status=LinkStatus.UNVERIFIABLE)
        .select_related("member__user", "work", "platform")
        .order_by("updated_at", "pk")
    )


def contradictions(*, platform_id: int | None = None, since: dt.datetime | None = None) -> QuerySet[LinkEvent]:
    """Removals a recipient announced that the checks found still online (each counts against the
    announcing platform's compliance: ``data.platform_id``)."""
    events = LinkEvent.objects.filter(data__contradiction=True)
    if platform_id is not None:
        events = events.filter(data__platform_id=platform_id)
    if since is not None:
        events = events.filter(at__gte=since)
    return events.order_by("at", "pk")
