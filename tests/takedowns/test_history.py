"""The member's history a page at a time (keyset), its bounded count, and the streamed CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sentinelle.takedowns import selectors, services
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from sentinelle.takedowns.services.links import change_status
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db

EVERYTHING = selectors.HistoryFilter()


@pytest.fixture
def member_links(registry_platforms):
    interest = InterestFactory(work__title="Ma chanson")
    member = interest.member
    text = "\n".join(f"https://pirate.example.org/f/{n}" for n in range(11))
    services.submit_links(member, interest.work.pk, text, ["remove"])
    # Four of them share one instant: the pages must still split them by id, none lost or repeated.
    ids = list(ReportedLink.objects.filter(member=member).order_by("id").values_list("id", flat=True))
    same = timezone.now() - dt.timedelta(hours=1)
    ReportedLink.objects.filter(pk__in=ids[3:7]).update(created_at=same)
    return member, interest.work


def _walk(member, per_page: int) -> tuple[list[int], list[selectors.HistoryPage]]:
    pages = [selectors.history_page(member, EVERYTHING, None, per_page)]
    while pages[-1].next_cursor:
        cursor = selectors.Cursor.decode(pages[-1].next_cursor)
        pages.append(selectors.history_page(member, EVERYTHING, cursor, per_page))
    return [link.pk for page in pages for link in page.items], pages


def test_keyset_pages_give_every_link_once_newest_first_forward_and_back(member_links):
    member, _work = member_links
    expected = list(selectors.filtered_history(member, EVERYTHING).values_list("pk", flat=True))
    seen, pages = _walk(member, per_page=3)
    assert seen == expected and len(pages) == 4
    assert pages[0].previous_cursor is None and pages[-1].next_cursor is None
    # Back from the last page, one page at a time, to the first.
    back = [pages[-1]]
    while back[-1].previous_cursor:
        back.append(selectors.history_page(member, EVERYTHING, selectors.Cursor.decode(back[-1].previous_cursor), 3))
    assert [[link.pk for link in page.items] for page in reversed(back)] == [
        [link.pk for link in page.items] for page in pages
    ]


def test_the_count_is_exact_up_to_the_cap_then_more_than(member_links, monkeypatch):
    member, _work = member_links
    page = selectors.history_page(member, EVERYTHING, None, 5)
    assert (page.count, page.more_than) == (11, None)
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    page = selectors.history_page(member, EVERYTHING, None, 5)
    assert (page.count, page.more_than) == (None, 10)
    monkeypatch.setattr(selectors, "COUNT_CAP", 11)
    assert selectors.history_page(member, EVERYTHING, None, 5).count == 11


def test_cursors_round_trip_and_reject_anything_else():
    moment = dt.datetime(2026, 12, 1, 10, 46, 3, 999_999, tzinfo=dt.UTC)
    for backwards in (False, True):
        cursor = selectors.Cursor(moment, 42, backwards)
        assert selectors.Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "!!", "Zm9v", "YTEyMy4w", "eDEyMy40", "YTk5OTk5OTk5OTk5OTk5OTk5OTk5OS4x"):
        with pytest.raises(selectors.BadCursor):
            selectors.Cursor.decode(bad)


def test_a_cursor_from_another_members_history_shows_only_your_own(member_links):
    member, _work = member_links
    stranger = InterestFactory().member
    services.submit_links(stranger, stranger.interests.first().work_id, "https://other.example.org/x", ["remove"])
    theirs = ReportedLink.objects.get(member=stranger)
    forged = selectors.Cursor(theirs.created_at + dt.timedelta(days=1), theirs.pk + 1)
    page = selectors.history_page(member, EVERYTHING, forged, 50)
    assert {link.member_id for link in page.items} == {member.pk}


def test_the_history_page_walks_with_older_and_newer_links(member_links, client, settings):
    member, _work = member_links
    settings.SENTINELLE_PAGE_SIZE = 4
    client.force_login(member.user)
    history = reverse("takedowns:history")
    first = client.get(history)
    assert "11 links" in first.content.decode() and 'rel="prev"' not in first.content.decode()
    seen = [link.pk for link in first.context["page"].items]
    page = first.context["page"]
    while page.next_cursor:
        page = client.get(history, {"cursor": page.next_cursor}).context["page"]
        seen += [link.pk for link in page.items]
    assert len(seen) == len(set(seen)) == 11
    # A mangled cursor in the address is the first page, not an error.
    assert client.get(history, {"cursor": "%%%"}).context["page"].items == first.context["page"].items


def _csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def _removed_link(member) -> ReportedLink:
    link = ReportedLink.objects.filter(member=member).order_by("id").first()
    reported = timezone.now() - dt.timedelta(days=5)
    ReportedLink.objects.filter(pk=link.pk).update(created_at=reported)
    sent = reported + dt.timedelta(hours=2)
    change_status(link, LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT, at=sent)
    change_status(link, LinkStatus.NOTICE_SENT, kind=EventKind.ANSWER, at=sent + dt.timedelta(hours=10))
    change_status(link, LinkStatus.NOTICE_SENT, kind=EventKind.ANSWER, at=sent + dt.timedelta(hours=20))
    change_status(link, LinkStatus.REMOVED, kind=EventKind.CHECK, at=reported + dt.timedelta(days=3, hours=12))
    return link


def test_csv_has_the_dates_of_report_sending_answer_removal_and_the_days_between(member_links, client):
    member, _work = member_links
    link = _removed_link(member)
    client.force_login(member.user)
    rows = _csv(client.get(reverse("takedowns:history-csv")))
    header, body = rows[0], rows[1:]
    assert len(body) == 11
    row = dict(zip(header, next(r for r in body if r[0] == str(link.pk)), strict=True))
    reported = dt.datetime.fromisoformat(row["Reported on"])
    assert dt.datetime.fromisoformat(row["Notice sent on"]) - reported == dt.timedelta(hours=2)
    assert dt.datetime.fromisoformat(row["First answer on"]) - reported == dt.timedelta(hours=12)
    assert dt.datetime.fromisoformat(row["Removed on"]) - reported == dt.timedelta(days=3, hours=12)
    assert row["Days to removal"] == "3.5"
    assert row["Status"] == "removed" and row["Action"] == "remove from the site"
    pending = dict(zip(header, next(r for r in body if r[0] != str(link.pk)), strict=True))
    assert pending["Notice sent on"] == pending["Removed on"] == pending["Days to removal"] == ""


def test_csv_in_french_is_french_throughout(member_links):
    member, _work = member_links
    _removed_link(member)
    client = Client(headers={"accept-language": "fr"})
    client.force_login(member.user)
    rows = _csv(client.get(reverse("takedowns:history-csv")))
    header = rows[0]
    assert "Notification envoyée le" in header and "Jours avant retrait" in header
    removed = next(r for r in rows[1:] if r[header.index("Jours avant retrait")])
    assert removed[header.index("Jours avant retrait")] == "3,5"
    assert removed[header.index("Statut")] == "retiré"
    assert removed[header.index("Action")] == "retrait du site"
    assert {r[header.index("Statut")] for r in rows[1:]} == {"retiré", "accepté", "refusé"}


def test_csv_follows_the_filters_and_only_the_members_links(member_links, client):
    member, work = member_links
    stranger = InterestFactory(work=work).member
    services.submit_links(stranger, work.pk, "https://elsewhere.example.net/z", ["delist"])
    _removed_link(member)
    client.force_login(member.user)
    rows = _csv(client.get(reverse("takedowns:history-csv"), {"status": "removed"}))
    assert len(rows) == 2 and "elsewhere.example.net" not in str(rows)


def test_the_outcome_filter_pages_on_the_page_and_the_api(member_links, client, settings):
    from typing import get_args

    from sentinelle.members.services import create_api_token
    from sentinelle.stats.outcomes import REPORTED, Outcome
    from sentinelle.takedowns.schemas import OutcomeName

    assert set(get_args(OutcomeName)) == {REPORTED, *Outcome.values}
    member, _work = member_links
    removed = _removed_link(member)
    settings.SENTINELLE_PAGE_SIZE = 4
    client.force_login(member.user)
    page = client.get(reverse("takedowns:history"), {"outcome": "removed"}).context["page"]
    assert [link.pk for link in page.items] == [removed.pk] and page.count == 1
    pending = client.get(reverse("takedowns:history"), {"outcome": "pending"}).context["page"]
    assert pending.count == 9 and removed.pk not in {link.pk for link in pending.items}
    _row, token = create_api_token(member.user, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = api.get("/api/v1/links", {"outcome": "removed"}).json()
    assert [x["id"] for x in body["items"]] == [removed.pk] and body["count"] == 1
    ids, cursor = [], ""
    while True:
        body = api.get("/api/v1/links", {"outcome": "pending", "limit": 3, "cursor": cursor}).json()
        ids += [x["id"] for x in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = body["next_cursor"]
    assert len(ids) == len(set(ids)) == 9 and removed.pk not in ids
    assert api.get("/api/v1/links", {"outcome": "gone"}).status_code == 400
