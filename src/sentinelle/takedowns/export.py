"""The member's history as CSV: one language throughout (the request's), streamed row by row.

Headers and values (action, status, refusal reason) are in the active language; dates are ISO 8601
in the society's time zone (unambiguous in any language, sorted as text); the time to removal is in
days, from the report to the first time the link was found removed or delisted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sentinelle.core.csvsafe import csv_chunks
from sentinelle.takedowns.models import Action, LinkStatus, RefusalReason, ReportedLink

CHUNK_ROWS = 2000  # rows fetched per round trip of the server-side cursor
SECONDS_PER_DAY = 86400


def header() -> list[str]:
    return [
        _("Link id"),
        _("Reported on"),
        _("Work"),
        _("ISWC"),
        _("Action"),
        _("Status"),
        _("Refusal reason"),
        _("Address"),
        _("Platform or site"),
        _("Notice sent on"),
        _("First answer on"),
        _("Removed on"),
        _("Days to removal"),
        _("Last change on"),
    ]


class RowWriter:
    """Turns links into CSV rows in the active language: the labels and the time zone are looked up
    once, not per row (Django's get_FOO_display re-reads the choices on every call)."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.actions = {value: str(label) for value, label in Action.choices}
        self.statuses = {value: str(label) for value, label in LinkStatus.choices}
        self.reasons = {value: str(label) for value, label in RefusalReason.choices}

    def when(self, moment: dt.datetime | None) -> str:
        return moment.astimezone(self.tz).isoformat(timespec="seconds") if moment is not None else ""

    def row(self, link: ReportedLink) -> list[object]:
        removed_at = getattr(link, "removed_at", None)
        return [
            link.pk,
            self.when(link.created_at),
            link.work.title,
            link.work.iswc_display,
            self.actions.get(link.action, link.action),
            self.statuses.get(link.status, link.status),
            self.reasons.get(link.refusal_reason, link.refusal_reason),
            link.url,
            link.platform.name if link.platform else link.registrable_domain,
            self.when(getattr(link, "sent_at", None)),
            self.when(getattr(link, "answered_at", None)),
            self.when(removed_at),
            days_to_removal(link.created_at, removed_at),
            self.when(link.updated_at),
        ]


def days_to_removal(reported: dt.datetime, removed: dt.datetime | None) -> str:
    """Days from the report to the removal, to a tenth, in the active language's number format."""
    if removed is None:
        return ""
    days = max(0.0, (removed - reported).total_seconds() / SECONDS_PER_DAY)
    return formats.number_format(round(days, 1), decimal_pos=1)


def history_csv(links: QuerySet[ReportedLink], language: str | None) -> Iterator[str]:
    """The CSV text, chunk by chunk, in ``language``; ``links`` is read through a server-side
    cursor (flat memory). The chunks are made while the response is sent, after the view has
    returned: the language is set again around each of them."""
    with translation.override(language):
        writer = RowWriter()
        chunks = csv_chunks(header(), (writer.row(link) for link in links.iterator(chunk_size=CHUNK_ROWS)))
    while True:
        with translation.override(language):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk
