"""What a link's status means for the figures: one outcome per status, no status left out.

The dashboards, the roll-ups and the history's "outcome" filter all read this one table, so a
figure and the links behind it always agree. ``tests/stats/test_outcomes.py`` fails when a status
is added to ``LinkStatus`` without a line here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sentinelle.takedowns.models import LinkStatus


class Outcome(models.TextChoices):
    REMOVED = "removed", _("removed or delisted")
    ONLINE = "online", _("still online")
    REFUSED = "refused", _("refused or contested by the platform")
    PENDING = "pending", _("pending")
    CLOSED = "closed", _("closed without a result")
    NOT_ACCEPTED = "not_accepted", _("not accepted")


OUTCOME_OF_STATUS: dict[str, Outcome] = {
    LinkStatus.REFUSED: Outcome.NOT_ACCEPTED,  # refused at intake: no notice was ever sent
    LinkStatus.ACCEPTED: Outcome.PENDING,
    LinkStatus.NOTICE_SENT: Outcome.PENDING,
    LinkStatus.REMOVAL_ANNOUNCED: Outcome.PENDING,  # the checks have not confirmed it yet
    LinkStatus.REMOVED: Outcome.REMOVED,
    LinkStatus.DELISTED: Outcome.REMOVED,
    LinkStatus.STILL_ONLINE: Outcome.ONLINE,
    LinkStatus.ESCALATED: Outcome.ONLINE,
    LinkStatus.REAPPEARED: Outcome.ONLINE,  # removed once, back online since
    LinkStatus.REFUSED_BY_PLATFORM: Outcome.REFUSED,
    LinkStatus.COUNTER_NOTICE: Outcome.REFUSED,
    LinkStatus.PURSUED: Outcome.REFUSED,  # a counter-notice the society pursues: still contested
    LinkStatus.UNVERIFIABLE: Outcome.CLOSED,
    LinkStatus.CLOSED: Outcome.CLOSED,
}

# The statuses a link reaches when the recipient acted: the clock of "time to removal" stops at
# the first event that moves a link into one of them.
REMOVAL_STATUSES: tuple[str, ...] = (LinkStatus.REMOVED, LinkStatus.DELISTED)

# The outcomes of a link the society accepted (everything but a refusal at intake), and the name
# the history's filter gives them all together.
REPORTED_OUTCOMES: tuple[str, ...] = tuple(o for o in Outcome.values if o != Outcome.NOT_ACCEPTED)
REPORTED = "reported"


def outcome_of(status: str) -> Outcome:
    """The outcome of a status; ``KeyError`` for a status this table does not know."""
    return OUTCOME_OF_STATUS[status]


def statuses_of(outcome: str) -> tuple[str, ...]:
    """Every status that means ``outcome`` (``REPORTED``: every accepted one; empty if unknown)."""
    if outcome == REPORTED:
        return tuple(s for s, o in OUTCOME_OF_STATUS.items() if o in REPORTED_OUTCOMES)
    return tuple(status for status, o in OUTCOME_OF_STATUS.items() if o == outcome)
