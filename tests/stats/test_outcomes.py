"""Every link status means one outcome in the figures."""

from __future__ import annotations

from sentinelle.stats.outcomes import OUTCOME_OF_STATUS, REPORTED, Outcome, outcome_of, statuses_of
from sentinelle.takedowns.models import LinkStatus


def test_every_link_status_has_an_outcome():
    # A status added to LinkStatus without a line in stats/outcomes.py fails here.
    assert set(LinkStatus.values) - set(OUTCOME_OF_STATUS) == set()
    assert set(OUTCOME_OF_STATUS) <= set(LinkStatus.values)


def test_the_statuses_of_the_outcomes_partition_every_status():
    seen = [s for o in Outcome.values for s in statuses_of(o)]
    assert sorted(seen) == sorted(LinkStatus.values)
    assert set(statuses_of(REPORTED)) == set(LinkStatus.values) - {LinkStatus.REFUSED}


def test_what_each_status_means():
    assert outcome_of(LinkStatus.DELISTED) == Outcome.REMOVED
    assert outcome_of(LinkStatus.REAPPEARED) == Outcome.ONLINE
    assert outcome_of(LinkStatus.REMOVAL_ANNOUNCED) == Outcome.PENDING  # not confirmed by a check
    assert outcome_of(LinkStatus.PURSUED) == Outcome.REFUSED
    assert outcome_of(LinkStatus.UNVERIFIABLE) == Outcome.CLOSED
