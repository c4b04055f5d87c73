"""The DSA art. 22(3) report: its totals are the notices in the database, and each format says so.

conftest.society: four EU notices in 2026 (MEGA x3, 1fichier), citing five links, and one US
notice (Google), counted apart. Actions, per link of a notice: removed_5h and Bob's link removed
after MEGA's first notice; removed_24h removed after the second; the reappeared link was removed
an hour *before* its notice and nobody answered (no action seen); 1fichier's counter-notice.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from sentinelle.notices.models import Notice, NoticeItem
from sentinelle.stats import dsa, dsa_render
from tests.factories import UserFactory
from tests.stats.helpers import at

pytestmark = pytest.mark.django_db


def test_the_totals_are_the_notices_in_the_database(society):
    report = dsa.dsa_report(2026)
    in_year = Notice.objects.filter(sent_at__gte=at("2026-01-01 00:00"), sent_at__lt=at("2027-01-01 00:00"))
    assert report.notices == in_year.filter(regime="eu").count() == 4
    assert report.other_regimes == in_year.exclude(regime="eu").count() == 1
    assert report.links == NoticeItem.objects.filter(notice__in=in_year.filter(regime="eu")).count() == 5
    assert sum(c.notices for c in report.by_provider_type.values()) == report.notices
    assert sum(c.links for c in report.by_provider.values()) == report.links
    assert sum(report.by_action.values()) == report.links
    assert sum(report.by_type_and_action.values()) == report.links


def test_the_categories(society):
    report = dsa.dsa_report(2026)
    assert {k: (c.notices, c.links) for k, c in report.by_provider_type.items()} == {dsa.HOSTING: (4, 5)}
    assert {name: (c.notices, c.links) for (name, _t), c in report.by_provider.items()} == {
        "MEGA": (3, 4),
        "1fichier": (1, 1),
    }
    assert dict(report.by_action) == {dsa.REMOVED: 3, dsa.NO_ANSWER: 1, dsa.COUNTER: 1}
    assert report.by_content[dsa.COPYRIGHT_MUSICAL].notices == 4


def test_a_year_without_notices(society):
    report = dsa.dsa_report(2025)
    assert (report.notices, report.links, report.other_regimes) == (0, 0, 0)
    assert "No notice in this year." in dsa_render.as_html(report)


def test_what_the_provider_did():
    assert dsa.action_taken("remove", None, True) == dsa.REMOVED
    assert dsa.action_taken("delist", "refused", True) == dsa.DELISTED  # seen delisted: the answer is moot
    assert dsa.action_taken("remove", "actioned", False) == dsa.ANNOUNCED
    assert dsa.action_taken("remove", "refused", False) == dsa.REFUSED
    assert dsa.action_taken("remove", "counter_notice", False) == dsa.COUNTER
    assert dsa.action_taken("remove", None, False) == dsa.NO_ANSWER


def test_every_kind_of_platform_has_a_dsa_category():
    from sentinelle.platforms.models import PlatformKind

    assert set(PlatformKind.values) == set(dsa.PROVIDER_TYPE)


def test_the_csv_holds_every_figure(society):
    rows = list(csv.DictReader(io.StringIO(dsa_render.as_csv(dsa.dsa_report(2026)))))
    total = next(r for r in rows if r["table"] == "total")
    assert (total["notices"], total["links"]) == ("4", "5")
    actions = {r["category"]: int(r["links"]) for r in rows if r["table"] == "action"}
    assert actions == {"removed or access disabled": 3, "no answer and no action seen": 1, "counter-notice": 1}


def test_the_html_and_pdf_carry_the_tables_and_the_method(society, settings):
    settings.SENTINELLE_DSA_INDEPENDENCE_STATEMENT = "Our board has no platform on it."
    report = dsa.dsa_report(2026)
    html = dsa_render.as_html(report)
    assert html.startswith("<!DOCTYPE html>") and "<link" not in html and "<script" not in html
    assert "Notices by type of provider" in html and "Our board has no platform on it." in html
    assert "article 16 of Regulation (EU) 2022/2065" in html and html.count('<svg class="chart-svg"') == 2
    assert dsa_render.as_pdf(report).startswith(b"%PDF")


def test_without_a_statement_the_report_says_it_is_missing(society):
    assert "has not yet written its explanation" in dsa_render.as_html(dsa.dsa_report(2026))


def test_the_command_writes_each_format(society, tmp_path):
    for fmt in ("csv", "html", "pdf"):
        out = tmp_path / f"report.{fmt}"
        call_command("trusted_flagger_report", "--year", "2026", "--format", fmt, "--out", str(out))
        assert out.stat().st_size > 100
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError):
        call_command("trusted_flagger_report", "--year", "1999", "--format", "csv", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError):
        call_command("trusted_flagger_report", "--year", "2026", "--format", "pdf", "--out", "-")


def test_the_staff_page_and_downloads(society):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("stats:dsa-report"), {"year": "2026"}).content.decode()
    assert "Notices by provider" in page and "The figures as a table" in page
    pdf = client.get(reverse("stats:dsa-download", args=[2026, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("stats:dsa-report"), {"year": "abc"}).status_code == 400
    assert client.get(reverse("stats:dsa-download", args=[2026, "doc"])).status_code == 404


def test_members_do_not_see_the_report(society):
    client = Client()
    client.force_login(society.alice.user)
    assert client.get(reverse("stats:dsa-report")).status_code == 404
    assert client.get(reverse("stats:dsa-download", args=[2026, "csv"])).status_code == 404
