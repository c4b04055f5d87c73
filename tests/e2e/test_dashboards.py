"""Both dashboards in a real browser: the charts are drawn, and each has its text alternative."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from sentinelle.stats import services
from tests.factories import PASSWORD, InterestFactory, UserFactory, make_platform
from tests.stats.helpers import PARIS, make_link, make_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _recent(days_ago: int, hour: int = 10) -> str:
    day = timezone.now().astimezone(PARIS).date() - dt.timedelta(days=days_ago)
    return f"{day.isoformat()} {hour:02d}:00"


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_both_dashboards_show_charts_with_text_alternatives(page, live_server, settings):
    settings.TIME_ZONE = "Europe/Paris"
    mega = make_platform("MEGA", "file_host", ["mega.nz"])
    interest = InterestFactory(work__title="Les Feuilles mortes", member__user__email="author@example.org")
    member, work = interest.member, interest.work
    removed = make_link(member, work, mega, _recent(5), (_recent(4), "removed"))
    online = make_link(member, work, mega, _recent(3), (_recent(2), "still_online"))
    make_link(member, work, None, _recent(1))
    make_notice(mega, [removed.pk, online.pk], _recent(3, 12), answers=((removed.pk, "actioned", _recent(2)),))
    services.rebuild_rollups()

    _login(page, live_server.url, "author@example.org")
    page.wait_for_url(re.compile(r"/dashboard/"))
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 2
    first = charts.first
    described = first.get_attribute("aria-labelledby").split()
    assert page.locator(f"#{described[0]}").text_content() == "Links reported and removed, last 12 months"
    assert page.locator(f"#{described[1]}").text_content().startswith("Per month of the report")
    page.locator("figure.chart details summary").first.click()
    assert page.locator("figure.chart details table").first.is_visible()
    assert first.bounding_box()["width"] > 100  # drawn, not an empty box
    assert page.locator(".stat-card", has_text="Links reported").locator(".stat-value").inner_text() == "3"
    page.locator(".stat-card a", has_text="removed or delisted").click()
    page.wait_for_url(re.compile(r"/history/\?.*outcome=removed"))
    assert page.locator("tr.link-row").count() == 1

    page.context.clear_cookies()
    UserFactory(email="desk@example.org", is_staff=True)
    _login(page, live_server.url, "desk@example.org")
    page.goto(f"{live_server.url}/stats/")
    assert page.locator("figure.chart svg[role=img]").count() == 5
    assert page.locator("figure.chart svg title").count() == 5 and page.locator("figure.chart svg desc").count() == 5
    page.locator("#table-compliance").scroll_into_view_if_needed()
    assert page.locator("#table-compliance table tbody tr").first.inner_text().startswith("1")
    page.locator("figure.chart details summary").nth(2).click()
    assert page.locator("figure.chart details table").nth(2).is_visible()
