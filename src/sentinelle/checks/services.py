"""Verification, escalation and reappearance of reported links, by verb:

``schedule``    when each link is due (from its notice and its checks), the stored plan, claiming
``run``         fetching the due links, recording the verdicts, moving the statuses, reappearance
``escalation``  the steps for links still online past their deadline, and the follow-up links

The public names are re-exported here, so callers import ``sentinelle.checks.services``. The
reported links themselves are written by ``sentinelle.takedowns.services`` only.
"""

from sentinelle.checks.escalation import (
    STEP_DELIST,
    STEP_EXHAUSTED,
    STEP_HOSTING_PROVIDER,
    STEP_REMINDER,
    escalate_link,
    escalate_overdue,
    escalate_to_delist,
    escalation_deadline,
    open_follow_up_link,
)
from sentinelle.checks.run import (
    FetcherFactory,
    RunSummary,
    apply_verdict,
    batch_size,
    mark_reappeared,
    record_outcomes,
    run_checks,
)
from sentinelle.checks.schedule import (
    FOLLOWED_STATUSES,
    SYNC_OVERLAP,
    WATCHED_STATUSES,
    Watched,
    claim_links,
    confirm_delay,
    lease_duration,
    next_check_at,
    reappearance_interval,
    reappearance_watch,
    refresh_schedules,
    retry_delay,
    retry_window,
    schedule_hours,
    sync_schedules,
)

__all__ = [
    "FOLLOWED_STATUSES",
    "STEP_DELIST",
    "STEP_EXHAUSTED",
    "STEP_HOSTING_PROVIDER",
    "STEP_REMINDER",
    "SYNC_OVERLAP",
    "WATCHED_STATUSES",
    "FetcherFactory",
    "RunSummary",
    "Watched",
    "apply_verdict",
    "batch_size",
    "claim_links",
    "confirm_delay",
    "escalate_link",
    "escalate_overdue",
    "escalate_to_delist",
    "escalation_deadline",
    "lease_duration",
    "mark_reappeared",
    "next_check_at",
    "open_follow_up_link",
    "reappearance_interval",
    "reappearance_watch",
    "record_outcomes",
    "refresh_schedules",
    "retry_delay",
    "retry_window",
    "run_checks",
    "schedule_hours",
    "sync_schedules",
]
