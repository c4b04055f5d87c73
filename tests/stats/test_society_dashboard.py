"""The society dashboard against figures computed by hand, its filters, exports and access.

On top of conftest.history (Alice's six links and Bob's one, 10-12 March 2026), five notices:
MEGA (EU, e-mail) on the 10th citing removed_5h and Bob's link, on the 11th citing removed_24h,
on the 12th citing the reappeared link; 1fichier (EU, HTTPS) on the 11th citing the online link;
Google (US, bulk file, delist) on the 12th citing the refused link. Answers: MEGA actioned
removed_5h on the 10th; 1fichier sent a counter-notice on the 12th; Google refused on the 13th.

Cohort, 10-12 March: 7 links reported, 3 removed (rate 3/7), days to removal 0, 0, 0, 1 → median 0.
MEGA: 4 reported, 4 notified, 3 removed (share actioned 3/4), 3 never answered (3/4).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from sentinelle.stats import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-12"}


def _board(**filters):
    return selectors.society_dashboard(selectors.SocietyFilter(dt.date(2026, 3, 10), dt.date(2026, 3, 12), **filters))


def test_the_cohort_figures(society):
    board = _board()
    t = board.total.tally
    assert (t.reported, t.removed, t.online, t.refused, t.pending) == (7, 3, 2, 1, 1)
    assert t.removal_rate == pytest.approx(3 / 7)
    assert board.total.median_days == 0.0
    assert board.members_active == 2


def test_per_platform_and_the_compliance_ranking(society):
    board = _board()
    mega = next(p for p in board.platforms if p.label == "MEGA")
    assert (mega.tally.reported, mega.tally.removed, mega.notified) == (4, 3, 4)
    assert mega.share_actioned == pytest.approx(3 / 4)
    assert mega.share_never_answered == pytest.approx(3 / 4)
    assert [p.label for p in board.compliance] == ["MEGA", "1fichier", "Google"]
    fichier = board.compliance[1]
    assert fichier.share_actioned == 0 and fichier.share_never_answered == 0  # it answered (counter-notice)
    kinds = {k.kind: k.tally for k in board.kinds}
    assert kinds["file_host"].reported == 5 and kinds["file_host"].removed == 3
    assert kinds["search_engine"].refused == 1 and kinds[""].pending == 1


def test_volumes_per_week_count_what_happened_in_the_period(society):
    [week] = _board().weeks
    assert week.week == dt.date(2026, 3, 9)
    # Google's refusal came on the 13th and the reappearance on the 20th: outside the period.
    assert (week.links, week.notices, week.answers, week.counter_notices, week.reappearances) == (7, 5, 2, 1, 0)
    later = selectors.society_dashboard(selectors.SocietyFilter(dt.date(2026, 3, 9), dt.date(2026, 3, 22)))
    assert [w.reappearances for w in later.weeks] == [0, 1]
    assert [w.answers for w in later.weeks] == [3, 0]


def test_notices_per_regime_and_channel(society):
    assert _board().regimes == [("eu", "email", 3, 4), ("eu", "https", 1, 1), ("us", "bulk_file", 1, 1)]


def test_filters_narrow_every_figure(society):
    engines = _board(platform_kind="search_engine")
    assert engines.total.tally.reported == 1 and engines.members_active == 1
    assert engines.regimes == [("us", "bulk_file", 1, 1)]
    mega = _board(platform_id=society.mega.pk)
    assert mega.total.tally.reported == 4 and mega.members_active == 2
    delist = _board(action="delist")
    assert delist.total.tally.reported == 1


def test_an_empty_period(society):
    board = selectors.society_dashboard(selectors.SocietyFilter(dt.date(2025, 1, 6), dt.date(2025, 1, 12)))
    assert board.total.tally.reported == 0 and board.total.tally.removal_rate is None
    assert board.platforms == [] and board.regimes == [] and board.members_active == 0
    assert len(board.weeks) == 1 and board.weeks[0].links == 0


def _staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


def test_staff_see_the_page_with_charts_and_exports(society):
    page = _staff().get(reverse("stats:society"), PERIOD).content.decode()
    assert page.count('<svg class="chart-svg"') == 5
    assert page.count("The figures as a table") == 5
    for name in ("weekly", "platforms", "kinds", "compliance", "notices"):
        assert reverse("stats:society-export", args=[name, "csv"]) in page
    assert "42.9" in page  # removal rate 3/7


def test_every_table_exports_as_csv_and_json(society):
    client = _staff()
    response = client.get(reverse("stats:society-export", args=["compliance", "csv"]), PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["platform"] for r in rows] == ["MEGA", "1fichier", "Google"]
    assert float(rows[0]["share_actioned"]) == pytest.approx(0.75)
    body = client.get(reverse("stats:society-export", args=["notices", "json"]), PERIOD).json()
    assert body["from"] == "2026-03-10" and [r["notices"] for r in body["rows"]] == [3, 1, 1]
    assert client.get(reverse("stats:society-export", args=["nothing", "csv"])).status_code == 404
    bad = client.get(reverse("stats:society-export", args=["weekly", "csv"]), {"platform": "No Such Host"})
    assert bad.status_code == 400 and "No platform of that name" in bad.content.decode()


def test_members_and_visitors_do_not_see_the_societys_figures(society):
    member = Client()
    member.force_login(society.alice.user)
    assert member.get(reverse("stats:society")).status_code == 404
    assert member.get(reverse("stats:society-export", args=["weekly", "json"])).status_code == 404
    assert Client().get(reverse("stats:society")).status_code == 302  # to the login page
