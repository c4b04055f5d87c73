from __future__ import annotations

from dataclasses import dataclass

import pytest

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform
from sentinelle.stats import services
from tests.factories import InterestFactory, WorkFactory, make_platform
from tests.stats.helpers import make_link, make_notice


@pytest.fixture(autouse=True)
def _paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


@dataclass
class History:
    alice: Member
    bob: Member
    w1: Work
    w2: Work
    mega: Platform
    fichier: Platform
    google: Platform
    links: dict[str, int]


@pytest.fixture
def history(db) -> History:
    """The hand-computed history (see the figures in test_rollups.py)."""
    mega = make_platform("MEGA", "file_host", ["mega.nz"])
    fichier = make_platform("1fichier", "file_host", ["1fichier.com"])
    google = make_platform("Google", "search_engine", ["google.com"])
    first = InterestFactory(work__title="Premier")
    alice, w1 = first.member, first.work
    w2 = InterestFactory(member=alice, work=WorkFactory(title="Second")).work
    second = InterestFactory(work__title="Chez Bob")
    bob, w3 = second.member, second.work
    links = {
        "removed_5h": make_link(alice, w1, mega, "2026-03-10 10:00", ("2026-03-10 15:30", "removed")),
        # 00:30 in Paris is still 23:30 on the 10th in UTC: it belongs to the 11th.
        "removed_24h": make_link(alice, w1, mega, "2026-03-11 00:30", ("2026-03-12 00:30", "removed")),
        # 23:59 in Paris on the 10th is 22:59 UTC: still the 10th.
        "online": make_link(alice, w2, fichier, "2026-03-10 23:59", ("2026-03-12 08:00", "still_online")),
        "pending": make_link(alice, w1, None, "2026-03-11 12:00"),
        "reappeared": make_link(
            alice, w2, mega, "2026-03-12 09:00", ("2026-03-12 19:00", "removed"), ("2026-03-20 10:00", "reappeared")
        ),
        "refused": make_link(
            alice, w1, google, "2026-03-12 10:00", ("2026-03-13 09:00", "refused_by_platform"), action="delist"
        ),
        "intake_refusal": make_link(alice, w1, mega, "2026-03-12 11:00", ("2026-03-12 11:00", "refused")),
        "bob": make_link(bob, w3, mega, "2026-03-10 10:00", ("2026-03-10 11:00", "removed")),
    }
    services.rebuild_rollups()
    return History(alice, bob, w1, w2, mega, fichier, google, {k: v.pk for k, v in links.items()})


@pytest.fixture
def society(history: History) -> History:
    """conftest.history plus five notices and three answers (see test_society_dashboard.py)."""
    links = history.links
    make_notice(
        history.mega,
        [links["removed_5h"], links["bob"]],
        "2026-03-10 11:00",
        answers=((links["removed_5h"], "actioned", "2026-03-10 15:00"),),
    )
    make_notice(history.mega, [links["removed_24h"]], "2026-03-11 09:00")
    make_notice(history.mega, [links["reappeared"]], "2026-03-12 20:00")
    make_notice(
        history.fichier,
        [links["online"]],
        "2026-03-11 08:00",
        channel="https",
        answers=((links["online"], "counter_notice", "2026-03-12 08:00"),),
    )
    make_notice(
        history.google,
        [links["refused"]],
        "2026-03-12 12:00",
        regime="us",
        channel="bulk_file",
        action="delist",
        answers=((links["refused"], "refused", "2026-03-13 09:00"),),
    )
    services.rebuild_rollups()
    return history
