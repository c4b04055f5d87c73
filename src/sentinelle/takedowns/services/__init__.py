"""Every write and rule of the takedowns app, by verb: ``intake`` (a member's submission),
``links`` (the one writer of ReportedLink and LinkEvent), ``shortlinks`` (short links followed after
intake), ``torrentpages`` (the info-hash read on numbered torrent pages after intake), ``digests``
(results e-mailed).

The public names are re-exported here, so callers import ``sentinelle.takedowns.services``.
"""

from sentinelle.takedowns.services.digests import send_result_digests
from sentinelle.takedowns.services.intake import (
    ACCEPTED,
    REFUSED,
    IntakeError,
    LineVerdict,
    SubmissionResult,
    WorkNotFound,
    max_lines,
    max_text_bytes,
    submit_links,
)
from sentinelle.takedowns.services.links import (
    SEEN_BY_CHECK,
    SEEN_BY_IMPORT,
    SEEN_BY_MEMBER,
    LinkFacts,
    LinkIdentity,
    NewEvent,
    change_status,
    change_status_many,
    find_active_duplicate,
    find_taken_down,
    mark_reappeared,
    open_follow_up_link,
    open_link,
    recipient_rows,
    record_resolution,
)
from sentinelle.takedowns.services.shortlinks import ResolveSummary, resolve_short_links
from sentinelle.takedowns.services.torrentpages import PagesSummary, read_torrent_pages

__all__ = [
    "ACCEPTED",
    "REFUSED",
    "SEEN_BY_CHECK",
    "SEEN_BY_IMPORT",
    "SEEN_BY_MEMBER",
    "IntakeError",
    "LineVerdict",
    "LinkFacts",
    "LinkIdentity",
    "NewEvent",
    "PagesSummary",
    "ResolveSummary",
    "SubmissionResult",
    "WorkNotFound",
    "change_status",
    "change_status_many",
    "find_active_duplicate",
    "find_taken_down",
    "mark_reappeared",
    "max_lines",
    "max_text_bytes",
    "open_follow_up_link",
    "open_link",
    "read_torrent_pages",
    "recipient_rows",
    "record_resolution",
    "resolve_short_links",
    "send_result_digests",
    "submit_links",
]
