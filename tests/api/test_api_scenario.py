"""The member's three steps through the API: the same rules and verdicts as the pages."""

from __future__ import annotations

import datetime as dt
from typing import get_args
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sentinelle.takedowns import schemas
from sentinelle.takedowns.models import Action, EventKind, LinkStatus, RefusalReason, ReportedLink
from tests.api.conftest import ApiUser
from tests.factories import InterestFactory, WorkFactory

pytestmark = pytest.mark.django_db


def test_my_works_with_search_pagination_and_open_link_counts(alice: ApiUser) -> None:
    second = InterestFactory(member=alice.member, work=WorkFactory(title="Zebra Blues")).work
    third = InterestFactory(member=alice.member, work=WorkFactory(title="Another Song")).work
    alice.submit("https://mega.nz/file/W1#k\nhttps://1fichier.com/?w2", work_id=second.pk)

    page = alice.get("/works", {"limit": 2}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    rest = alice.get("/works", {"limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == 1
    # Ordered by title: "Another Song", "Work number …", "Zebra Blues".
    assert [w["id"] for w in page["items"] + rest["items"]] == [third.pk, alice.work.pk, second.pk]

    found = alice.get("/works", {"q": "zebra"}).json()
    assert [(w["id"], w["open_links"]) for w in found["items"]] == [(second.pk, 2)]
    assert found["items"][0]["iswc"] == second.iswc_display


def test_the_member_scenario_through_the_api(alice: ApiUser) -> None:
    # Two links earlier today: one of them comes back as a duplicate below.
    earlier = alice.submit("https://mega.nz/file/EARLY1#k\nhttps://pirate-songs.example.org/early")
    assert earlier.status_code == 201
    earlier_mega = earlier.json()["verdicts"][0]["link_ids"][0]

    fresh = [f"https://pirate-site-{i}.example.net/album/{i}" for i in range(9)]
    lines = [
        fresh[0],
        fresh[1],
        fresh[2],
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        fresh[3],
        "https://mega.nz/file/EARLY1#k",  # the duplicate
        fresh[4],
        fresh[5],
        "this is not a link at all",
        fresh[6],
        fresh[7],
        fresh[8],
    ]
    assert len(lines) == 12
    response = alice.submit("\n".join(lines))
    assert response.status_code == 201
    body = response.json()
    verdicts = {v["line"]: (v["outcome"], v["reason"]) for v in body["verdicts"]}
    assert verdicts == {
        1: ("accepted", None),
        2: ("accepted", None),
        3: ("accepted", None),
        4: ("refused", "licensed_platform"),
        5: ("accepted", None),
        6: ("refused", "duplicate"),
        7: ("accepted", None),
        8: ("accepted", None),
        9: ("refused", "not_a_url"),
        10: ("accepted", None),
        11: ("accepted", None),
        12: ("refused", "quota"),  # 2 earlier + 8 here = the 10 a day
    }
    by_line = {v["line"]: v for v in body["verdicts"]}
    assert "YouTube" in by_line[4]["message"]
    assert by_line[6]["duplicate_of"] == earlier_mega
    assert by_line[1]["actions"] == ["remove"] and by_line[1]["link_ids"]
    assert (body["accepted"], body["refused"]) == (8, 4)
    paris_midnight = dt.datetime.combine(
        timezone.now().astimezone(ZoneInfo("Europe/Paris")).date() + dt.timedelta(days=1),
        dt.time.min,
        tzinfo=ZoneInfo("Europe/Paris"),
    )
    assert body["quota"]["limit"] == 10
    assert body["quota"]["remaining"] == 0
    assert dt.datetime.fromisoformat(body["quota"]["resets_at"]) == paris_midnight
    assert ReportedLink.objects.filter(member=alice.member, status=LinkStatus.ACCEPTED).count() == 10

    # Once the day's quota is spent, a submission answers 200 (nothing created) with the reason.
    spent = alice.submit("https://another-pirate.example.com/x")
    assert spent.status_code == 200
    assert spent.json()["verdicts"][0]["reason"] == "quota"

    # The history: every link, newest first, filterable, paginated.
    history = alice.get("/links", {"limit": 100}).json()
    ids = [item["id"] for item in history["items"]]
    assert history["count"] == len(ids) == ReportedLink.objects.filter(member=alice.member).count()
    assert ids == sorted(ids, reverse=True)
    accepted = alice.get("/links", {"status": "accepted"}).json()
    assert accepted["count"] == 10
    assert {item["status"] for item in accepted["items"]} == {"accepted"}
    mega = alice.get("/links", {"platform": "mega"}).json()
    assert [item["id"] for item in mega["items"]] == [earlier_mega]
    assert mega["items"][0]["platform"] == "MEGA" and mega["items"][0]["recipients"] == ["MEGA"]
    today = timezone.localdate().isoformat()
    assert alice.get("/links", {"date_from": today, "date_to": today}).json()["count"] == history["count"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert alice.get("/links", {"date_from": tomorrow}).json()["count"] == 0
    first = alice.get("/links", {"work": alice.work.pk, "limit": 3}).json()
    assert first["previous_cursor"] is None and first["items"] == history["items"][:3]
    second = alice.get("/links", {"work": alice.work.pk, "limit": 3, "cursor": first["next_cursor"]}).json()
    assert second["items"] == history["items"][3:6]
    back = alice.get("/links", {"work": alice.work.pk, "limit": 3, "cursor": second["previous_cursor"]}).json()
    assert back["items"] == first["items"] and back["previous_cursor"] is None
    licensed = alice.get("/links", {"status": "refused"}).json()["items"]
    assert {item["refusal_reason"] for item in licensed} == {"licensed_platform", "quota"}

    # One link with its timeline.
    link = alice.get(f"/links/{earlier_mega}").json()
    assert link["url"].startswith("https://mega.nz/file/EARLY1")
    assert link["work"] == {"id": alice.work.pk, "title": alice.work.title}
    assert [(e["kind"], e["to_status"]) for e in link["events"]] == [("received", None), ("accepted", "accepted")]
    assert "MEGA" in link["events"][1]["message"]


def test_urls_may_be_sent_as_a_list_and_both_actions_at_once(alice: ApiUser) -> None:
    response = alice.post(
        f"/works/{alice.work.pk}/links",
        {"urls": ["https://mega.nz/file/LIST1#k", "not a url"], "actions": ["remove", "delist"]},
    )
    assert response.status_code == 201
    verdicts = response.json()["verdicts"]
    assert [(v["line"], v["outcome"]) for v in verdicts] == [(1, "accepted"), (2, "refused")]
    assert sorted(verdicts[0]["actions"]) == ["delist", "remove"]
    assert set(verdicts[0]["recipients"]) == {"MEGA", "Google", "Bing"}
    assert response.json()["quota"]["remaining"] == 9


def test_a_submission_where_everything_is_refused_answers_200(alice: ApiUser) -> None:
    response = alice.submit("https://youtu.be/dQw4w9WgXcQ\nnonsense")
    assert response.status_code == 200
    assert response.json()["accepted"] == 0
    assert not ReportedLink.objects.filter(status=LinkStatus.ACCEPTED).exists()


def test_submissions_through_the_api_are_marked_and_carry_the_actor(alice: ApiUser) -> None:
    alice.submit("https://mega.nz/file/ACT1#k")
    link = ReportedLink.objects.get()
    assert link.request.via_api is True
    assert {e.actor_id for e in link.events.all()} == {alice.member.user.pk}


def test_the_schema_enums_follow_the_models() -> None:
    assert set(get_args(schemas.ActionName)) == set(Action.values)
    assert set(get_args(schemas.StatusName)) == set(LinkStatus.values)
    assert set(get_args(schemas.RefusalName)) == set(RefusalReason.values)
    assert set(get_args(schemas.EventKindName)) == set(EventKind.values)
