"""The member's catalogue at scale: keyset pages that start from the member's interests."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sentinelle.catalogue.models import AlternateTitle, Interest, Party, PartyKind, Work, sort_title
from sentinelle.catalogue.selectors import member_work_page, search_member_works
from sentinelle.catalogue.services import import_works_csv
from sentinelle.members.models import Member
from tests.factories import MemberFactory, make_iswc

pytestmark = pytest.mark.django_db

THOUSANDS = 2_000


def give_works(member: Member, count: int, prefix: str, start: int) -> list[Work]:
    """``count`` works held by ``member`` (one writer interest each), created in bulk."""
    works = Work.objects.bulk_create(
        Work(title=f"{prefix} {(i * 7919) % count:05d}", work_code=f"{prefix}-{start + i}", iswc=make_iswc(start + i))
        for i in range(count)
    )
    party = Party.objects.create(
        kind=PartyKind.WRITER, interested_party_number=f"{prefix}-W{start}", name=prefix, member=member
    )
    # bulk_create skips Interest.save(): the sort key is given as the importer gives it.
    Interest.objects.bulk_create(
        Interest(work=w, party=party, member=member, role="CA", sort_title=sort_title(w.title)) for w in works
    )
    # A co-writer's interest in the same works must not show a work twice.
    co = Party.objects.create(
        kind=PartyKind.WRITER, interested_party_number=f"{prefix}-C{start}", name="co", member=member
    )
    Interest.objects.bulk_create(
        Interest(work=w, party=co, member=member, role="A", sort_title=sort_title(w.title)) for w in works[:50]
    )
    return works


def walk(client: Client, query: str = "") -> tuple[list[int], int]:
    """Follow the pages' Next links to the end; return the ids seen and the count shown."""
    url = reverse("catalogue:my-works")
    ids: list[int] = []
    params: dict[str, Any] = {"q": query}
    while True:
        page = client.get(url, params).context["page"]
        ids += [w.pk for w in page.object_list]
        if not page.has_next:
            return ids, page.count
        params = {"q": query, "after": page.next_after}


@pytest.fixture
def others() -> list[Work]:
    # Someone else's works, with titles that sort among the member's.
    return give_works(MemberFactory(), 30, "Song", 900_000)


@pytest.mark.parametrize("count", [0, 2, THOUSANDS])
def test_pages_walk_every_work_of_the_member_once_in_title_order(
    client: Client, settings: Any, others: list[Work], count: int
) -> None:
    settings.SENTINELLE_PAGE_SIZE = 200
    member = MemberFactory()
    works = give_works(member, count, "Song", 0)
    client.force_login(member.user)
    ids, shown = walk(client)
    expected = [w.pk for w in sorted(works, key=lambda w: (w.title, w.pk))]
    assert ids == expected
    assert shown == count
    page = client.get(reverse("catalogue:my-works")).content.decode()
    if count == 0:
        assert "No work is registered in your name yet." in page
    if count == 2:
        assert "2 works" in page


def test_pages_go_back_the_way_they_came(client: Client, settings: Any) -> None:
    settings.SENTINELLE_PAGE_SIZE = 7
    member = MemberFactory()
    give_works(member, 40, "Song", 0)
    client.force_login(member.user)
    url = reverse("catalogue:my-works")
    pages = [client.get(url).context["page"]]
    while pages[-1].has_next:
        pages.append(client.get(url, {"after": pages[-1].next_after}).context["page"])
    assert len(pages) == 6 and [len(p.object_list) for p in pages] == [7, 7, 7, 7, 7, 5]
    for earlier, later in itertools.pairwise(pages):
        back = client.get(url, {"before": later.previous_before}).context["page"]
        assert back.object_list == earlier.object_list
    assert not client.get(url, {"before": pages[1].previous_before}).context["page"].has_previous


def test_another_members_work_is_no_position(client: Client, others: list[Work]) -> None:
    member = MemberFactory()
    mine = give_works(member, 3, "Mine", 0)
    page = member_work_page(member, "", 2, after=others[0].pk)
    # An id outside the member's catalogue is ignored: the first page.
    assert [w.pk for w in page.object_list] == [w.pk for w in sorted(mine, key=lambda w: (w.title, w.pk))][:2]


def test_search_among_thousands_by_title_alternate_title_and_iswc(others: list[Work]) -> None:
    member = MemberFactory()
    works = give_works(member, THOUSANDS, "Song", 0)
    AlternateTitle.objects.create(work=works[10], title="Une chanson douce")
    AlternateTitle.objects.create(work=others[0], title="Une chanson douce")
    assert search_member_works(member, "CHANSON DOUCE") == (1, [works[10]])
    assert search_member_works(member, works[5].iswc_display) == (1, [works[5]])
    assert search_member_works(member, others[5].iswc_display) == (0, [])
    # Three digits or more also look into the ISWCs: "Song 00042" finds that title and ISWCs holding 00042.
    assert works[42].pk in [w.pk for w in search_member_works(member, works[42].title, limit=THOUSANDS)[1]]
    page = member_work_page(member, "chanson douce", 5)
    assert (page.count, page.object_list) == (None, [works[10]])  # a search's page is not counted


def test_api_lists_thousands_of_works(client: Client) -> None:
    from sentinelle.members.services import create_api_token

    member = MemberFactory()
    give_works(member, THOUSANDS, "Song", 0)
    _token, token = create_api_token(member.user, "test")
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/works", {"limit": 100, "offset": 1950}, headers=headers).json()
    assert body["count"] == THOUSANDS
    assert len(body["items"]) == 50
    titles = [item["title"] for item in body["items"]]
    assert titles == sorted(titles)


def test_a_retitled_work_moves_in_the_members_order(client: Client) -> None:
    from tests.factories import InterestFactory

    member = MemberFactory()
    party = Party.objects.create(kind=PartyKind.WRITER, interested_party_number="T-1", name="T", member=member)
    works = [Work.objects.create(title=title, work_code=f"T-{i}") for i, title in enumerate(["b", "c", "d"])]
    for work in works:
        InterestFactory(work=work, party=party, member=member, role="CA")  # save() gives the key
    assert Interest.objects.get(work=works[0]).sort_title == "B"
    works[2].title = "a song"
    works[2].save()  # the admin's way: the work's interests move with it
    assert [w.title for w in member_work_page(member, "", 10).object_list] == ["a song", "b", "c"]


def test_an_import_that_retitles_a_work_moves_interests_it_does_not_name(tmp_path: Path) -> None:
    from tests.factories import InterestFactory

    member = MemberFactory()
    csv_path = tmp_path / "works.csv"
    csv_path.write_text("work_code,title,kind,last_name,role,pr_share\nW-1,zebra,writer,Doe,CA,50\n")
    import_works_csv(csv_path)
    work = Work.objects.get(work_code="W-1")
    # A share the file does not name (entered by staff), held by the member.
    party = Party.objects.create(kind=PartyKind.WRITER, interested_party_number="S-1", name="S", member=member)
    InterestFactory(work=work, party=party, member=member, role="A")
    Work.objects.create(title="middle", work_code="W-2").interests.create(party=party, member=member, role="A")
    assert [w.title for w in member_work_page(member, "", 10).object_list] == ["middle", "zebra"]
    csv_path.write_text("work_code,title,kind,last_name,role,pr_share\nW-1,aardvark,writer,Doe,CA,50\n")
    import_works_csv(csv_path)
    assert set(Interest.objects.filter(work=work).values_list("sort_title", flat=True)) == {"AARDVARK"}
    assert [w.title for w in member_work_page(member, "", 10).object_list] == ["aardvark", "middle"]
