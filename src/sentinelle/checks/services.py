"""Verification, escalation and reappearance of reported links, by verb:

``schedule``    when each link is due (from its notice and its checks), the stored plan, claiming
``run``         fetching the due links, recording the verdicts, moving the statuses, reappearance
``escalation``  the steps for links still online past their deadline, and the follow-up links
``outcomes``    links no check settles (unverifiable, closed by hand), contradicted announcements

The public names are re-exported here, so callers import ``sentinelle.checks.services``. The
reported links themselves are written by ``sentinelle.takedowns.services`` only.
"""

from sentinelle.checks.escalation import (
    STEP_DELIST,
    STEP_EXHAUSTED,
    STEP_HOSTING_PROVIDER,
    STEP_REGISTRAR,
    STEP_REMINDER,
    escalate_link,
    escalate_overdue,
    open_follow_up_link,
)
from sentinelle.checks.outcomes import OutcomeError, close_by_hand, mark_unverifiable, record_contradiction
from sentinelle.checks.run import (
    FetcherFactory,
    RunSummary,
    apply_verdict,
    mark_reappeared,
    record_outcomes,
    rehearse_checks,
    run_checks,
)
from sentinelle.checks.schedule import (
    FOLLOWED_STATUSES,
    SYNC_OVERLAP,
    WATCHED_STATUSES,
    Watched,
    claim_links,
    next_check_at,
    refresh_schedules,
    sync_schedules,
)

__all__ = [
    "FOLLOWED_STATUSES",
    "STEP_DELIST",
    "STEP_EXHAUSTED",
    "STEP_HOSTING_PROVIDER",
    "STEP_REGISTRAR",
    "STEP_REMINDER",
    "SYNC_OVERLAP",
    "WATCHED_STATUSES",
    "FetcherFactory",
    "OutcomeError",
    "RunSummary",
    "Watched",
    "apply_verdict",
    "claim_links",
    "close_by_hand",
    "escalate_link",
    "escalate_overdue",
    "mark_reappeared",
    "mark_unverifiable",
    "next_check_at",
    "open_follow_up_link",
    "record_contradiction",
    "record_outcomes",
    "refresh_schedules",
    "rehearse_checks",
    "run_checks",
    "sync_schedules",
]
