"""Notices for millions of links (issue 14, item 5): due links read in keyset chunks, notices
carried from one chunk to the next, several notices per transaction, builders side by side."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeItem, ParkedLink
from sentinelle.notices.services import build, make
from sentinelle.takedowns.models import ReportedLink
from tests.factories import make_platform
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


def coverage() -> Counter[tuple[int, int, str]]:
    """(link, level, recipient) of every live item, with how many times each is there."""
    return Counter(
        NoticeItem.objects.filter(discarded=False).values_list("link_id", "escalation_level", "recipient_key")
    )


def notices_by_recipient() -> set[tuple[str, frozenset[int]]]:
    return {
        (n.recipient_key, frozenset(n.items.values_list("link_id", flat=True)))
        for n in Notice.objects.prefetch_related("items")
    }


def forget_notices() -> None:
    ParkedLink.objects.all().delete()
    NoticeItem.objects.all().delete()
    Notice.objects.all().delete()


@pytest.fixture
def spread() -> list[ReportedLink]:
    """Links on three platforms and on a site nobody can be reached at (parked)."""
    r = rights()
    links = []
    for n, name in enumerate(("alpha", "beta", "gamma")):
        platform = email_platform(f"Host {name}", f"{name}.example")
        links += make_links(r, platform, [f"https://{name}.example/f/{i}" for i in range(3 + 2 * n)])
    links += make_links(r, None, [f"https://nobody.example/f/{i}" for i in range(3)])
    return links


def test_the_chunks_read_every_due_link_once_in_keyset_order():
    r = rights()
    host = email_platform("Host", "host.example")
    links = make_links(r, host, [f"https://host.example/f/{i}" for i in range(5)])
    # Reports of one content by several members share an identity key: the keyset's ties.
    twins = make_links(rights("Autre"), host, ["https://host.example/f/2", "https://host.example/f/2"])
    expected = sorted(links + twins, key=lambda x: (x.registrable_domain, x.identity_key, x.pk))

    chunks = list(services.due_link_chunks(2))

    assert [len(c) for c in chunks] == [2, 2, 2, 1]
    assert [row["id"] for c in chunks for row in c] == [x.pk for x in expected]


def test_small_chunks_build_the_notices_one_chunk_builds(spread, settings, monkeypatch):
    settings.SENTINELLE_NOTICE_MAX_URLS = 2
    services.build_notices()
    whole = notices_by_recipient()
    forget_notices()

    monkeypatch.setattr(build, "CHUNK_LINKS", 3)
    monkeypatch.setattr(make, "BATCH_LINKS", 3)
    result = services.build_notices()

    assert notices_by_recipient() == whole
    assert set(coverage().values()) == {1}
    assert result.links == len(spread) and result.items == sum(coverage().values())
    assert max(len(links) for _key, links in whole) == 2


def test_the_reports_of_one_content_stay_together_across_a_chunk_boundary(settings, monkeypatch):
    settings.SENTINELLE_NOTICE_MAX_URLS = 5
    monkeypatch.setattr(build, "CHUNK_LINKS", 2)
    host = email_platform("Host", "host.example")
    make_links(rights(), host, ["https://host.example/f/1", "https://host.example/f/2"])
    same = [
        make_links(rights(f"Autre {n}"), host, ["https://host.example/f/3"])[0] for n in range(4)
    ]  # four reports of one content, read over three chunks

    services.build_notices()

    holding = {item.notice_id for item in NoticeItem.objects.filter(link__in=same)}
    assert len(holding) == 1  # one notice holds all four
    assert Notice.objects.count() == 2  # 2 + 4 links: the first notice closes before the run


def test_a_platforms_notice_stays_open_across_its_domains_and_closes_when_memory_is_short(settings, monkeypatch):
    settings.SENTINELLE_NOTICE_MAX_URLS = 100
    monkeypatch.setattr(build, "CHUNK_LINKS", 2)
    r = rights()
    two = make_platform(
        "Two names", "file_host", ["aaa.example", "zzz.example"], notice_channel="email", contact_email="a@aaa.example"
    )
    middle = email_platform("Middle", "mmm.example")
    links = make_links(r, two, ["https://aaa.example/1", "https://aaa.example/2"], domain="aaa.example")
    make_links(r, middle, [f"https://mmm.example/{i}" for i in range(3)])
    links += make_links(r, two, ["https://zzz.example/1"], domain="zzz.example")

    services.build_notices()
    assert Notice.objects.filter(recipient_key=f"p:{two.pk}").count() == 1  # carried past mmm.example

    forget_notices()
    monkeypatch.setattr(build, "CARRY_LINKS", 1)  # no room: the open notice is closed as it is
    services.build_notices()
    assert Notice.objects.filter(recipient_key=f"p:{two.pk}").count() == 2
    assert set(coverage().values()) == {1} and len(coverage()) == 6


def test_builders_side_by_side_build_what_one_builds(spread, settings):
    settings.SENTINELLE_NOTICE_MAX_URLS = 2
    services.build_notices()
    whole = notices_by_recipient()
    forget_notices()

    results = [services.build_notices(part=k, parts=3) for k in range(3)]

    assert notices_by_recipient() == whole
    assert set(coverage().values()) == {1}
    for k, result in enumerate(results):  # each took its own sites
        sites = set(
            ReportedLink.objects.filter(notice_items__notice__in=result.notices).values_list(
                "registrable_domain", flat=True
            )
        )
        assert all(build.in_part(site, k, 3) for site in sites)


def test_a_batch_that_lost_a_race_is_made_one_notice_at_a_time(spread, monkeypatch):
    services.build_notices()
    before = coverage()
    specs = _specs_of_every_due_link()
    real = make._still_due
    calls: list[int] = []

    def stale_once(batch: Any) -> Any:
        calls.append(len(batch))
        return list(batch) if len(calls) == 1 else real(batch)  # first: as if nobody had built them

    monkeypatch.setattr(make, "_still_due", stale_once)
    made = make.make_notices(specs, build.timezone.now())

    assert made == []  # the constraint refused the batch; one by one, every link was taken
    assert len(calls) == 1 + len(specs)
    assert coverage() == before


def _specs_of_every_due_link() -> list[make.Spec]:
    from sentinelle.notices import routing

    links = [row for chunk in services.due_link_chunks() for row in chunk]
    book = routing.book_for(links)
    facts = build.WorkFacts.load({x["work_id"] for x in links})
    specs = []
    for link in links:
        facts.item(link)
        for rec in routing.routes_for(link, book):
            key = make.GroupKey(rec.key, link["action"], "eu", "fr", 0)
            specs.append(make.Spec(rec, key, [link]))
    return specs


def test_the_periodic_build_queues_one_pass_per_builder(spread, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SENTINELLE_NOTICE_BUILDERS = 3
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
    from sentinelle.notices import tasks

    assert tasks.build_notices.enqueue().return_value == 0  # it only queued the three parts

    assert set(coverage().values()) == {1}
    assert {link for link, _level, _rec in coverage()} == {x.pk for x in spread}


@pytest.mark.parametrize("part", ["2/2", "x", "1/0", "-1/3", "1"])
def test_the_command_refuses_a_part_that_is_not_one(part):
    with pytest.raises(CommandError, match="--part"):
        call_command("build_notices", part=part)


def test_any_finds_what_in_finds(spread):
    ids = [spread[0].pk, spread[3].pk, 10**9]
    assert set(ReportedLink.objects.filter(pk__any=ids)) == set(ReportedLink.objects.filter(pk__in=ids))
    assert list(ReportedLink.objects.filter(pk__any=[])) == []
    services.build_notices()
    by_fk = NoticeItem.objects.filter(link_id__any=ids).values_list("link_id", flat=True)
    assert set(by_fk) == {spread[0].pk, spread[3].pk}


def test_the_builders_index_holds_the_due_links_only():
    index = next(i for i in ReportedLink._meta.indexes if i.name == "link_due")
    assert index.condition is not None
    assert sorted(dict(index.condition.children)["status__in"]) == sorted(build.DUE_STATUSES)
    assert index.fields == ["registrable_domain", "identity_key", "id"]  # due_link_chunks' order


def test_the_parked_links_are_left_out_by_an_anti_join_not_a_left_join():
    """``exclude(parked__…)`` made a LEFT JOIN whose filter the planner, once the parked links were
    analysed, took for "almost no rows": it read and sorted every due link for each chunk (1.5 s a
    chunk at 1,000,000 links, 61 ms with NOT EXISTS). The parked links' behaviour is tested in
    tests/notices/test_routing.py and tests/recipients/test_acceptance.py."""
    sql = str(build._due_queryset().query)
    assert "NOT EXISTS" in sql.upper().replace("NOT (EXISTS", "NOT EXISTS")
    assert "LEFT OUTER JOIN" not in sql.upper()
