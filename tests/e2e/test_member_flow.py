"""A member's three steps in a real browser: pick a work, report links, follow them."""

import re

import pytest

from sentinelle.takedowns.models import LinkStatus, ReportedLink
from tests.factories import PASSWORD, InterestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_reports_links_and_follows_them(page, live_server, registry_platforms, settings):
    settings.SENTINELLE_DAILY_LINK_QUOTA = 10
    interest = InterestFactory(work__title="Les Feuilles mortes", member__user__email="author@example.org")
    InterestFactory(member=interest.member, work__title="Autumn Leaves (other work)")
    other = InterestFactory(work__title="Somebody Else's Work")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "author@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))  # a member lands on their dashboard
    page.get_by_role("link", name="My catalogue").first.click()
    page.wait_for_url(re.compile(r"/catalogue/"))
    assert page.locator("td.title", has_text="Les Feuilles mortes").count() == 1
    assert page.locator("td.title", has_text="Somebody Else").count() == 0

    page.locator("tr", has_text="Les Feuilles mortes").get_by_role("link", name="Report links").click()
    pirate = [f"https://pirate-{i}.example.net/album/feuilles-mortes.mp3" for i in range(8)]
    lines = [
        *pirate[:3],
        "https://mega.nz/file/AbC123#secret",
        *pirate[3:],
        "https://www.youtube.com/watch?v=abcdefghijk",  # licensed by the society
        pirate[0] + "?utm_source=twitter",  # the same link as line 1
        "not a link at all",
    ]
    assert len(lines) == 12
    page.fill("textarea[name=links]", "\n".join(lines))
    page.check("input[name=action][value=remove]")
    page.click("button:has-text('Send the report')")
    page.wait_for_selector(".verdicts")
    accepted = page.locator("tr.verdict.accepted")
    refused = page.locator("tr.verdict.refused")
    assert accepted.count() == 9
    assert refused.count() == 3
    assert "YouTube" in page.locator("tr.verdict[data-reason=licensed_platform]").inner_text()
    assert page.locator("tr.verdict[data-reason=duplicate]").count() == 1
    assert page.locator("tr.verdict[data-reason=not_a_url]").count() == 1
    assert "1 of 10 links left today" in page.locator(".quota").inner_text()

    # Two more: only one fits in the day's quota.
    page.fill("textarea[name=links]", "https://pirate-extra.example.net/x\nhttps://pirate-last.example.net/y")
    page.click("button:has-text('Send the report')")
    page.wait_for_selector(".verdicts")
    assert page.locator("tr.verdict.accepted").count() == 1
    quota_row = page.locator("tr.verdict[data-reason=quota]")
    assert quota_row.count() == 1 and "resets" in quota_row.inner_text()
    assert ReportedLink.objects.filter(member=interest.member, status=LinkStatus.ACCEPTED).count() == 10

    page.get_by_role("link", name="My history").click()
    # 10 accepted, and the licensed and over-quota refusals; the duplicate points at line 1.
    assert page.locator("tr.link-row").count() == 12
    assert page.locator("tr.link-row.status-accepted").count() == 10
    page.locator("tr.link-row a", has_text="mega.nz").click()
    assert page.locator("ol.timeline li.event").count() == 2
    assert "Accepted" in page.locator("ol.timeline").inner_text()

    # Another member's work is a 404 even by typing its address.
    response = page.goto(f"{live_server.url}/works/{other.work.pk}/report/")
    assert response.status == 404
