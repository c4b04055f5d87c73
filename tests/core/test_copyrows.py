"""core.copyrows: rows written by COPY (PostgreSQL) or bulk_create come back as they were given."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.functional import lazystr

from sentinelle.core.copyrows import insert_rows, insert_values
from sentinelle.takedowns import services
from sentinelle.takedowns.models import LinkEvent, ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


def _copies(link: ReportedLink, n: int) -> list[ReportedLink]:
    rows = []
    for i in range(n):
        row = ReportedLink(
            **{f.attname: getattr(link, f.attname) for f in ReportedLink._meta.concrete_fields if not f.primary_key}
        )
        row.url = row.identity_key = f"pirate.example.net/copy/{i}\ttab\nnewline\\backslash"
        row.recipients = [{"name": 'Hébergeur "quoted"', "platform_id": None, "domain": "x.example"}]
        row.created_at = row.updated_at = None  # filled on insert (auto_now_add / auto_now)
        rows.append(row)
    return rows


def test_rows_get_their_ids_and_every_value_round_trips(registry_platforms):
    interest = InterestFactory()
    result = services.submit_links(interest.member, interest.work.pk, "https://pirate.example.net/a", ["remove"])
    first = ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])
    before = timezone.now()
    rows = insert_rows(_copies(first, 3), want_ids=True)
    assert [r.pk for r in rows] == sorted(r.pk for r in rows) and min(r.pk for r in rows) > first.pk
    assert all(not r._state.adding for r in rows)
    for row in rows:
        stored = ReportedLink.objects.get(pk=row.pk)
        assert stored.url == row.url and "\t" in stored.url and "\n" in stored.url and "\\" in stored.url
        assert stored.recipients == row.recipients
        assert stored.created_at >= before - dt.timedelta(seconds=1) and stored.updated_at is not None
    # The sequence goes on after the reserved ids: a link saved the ordinary way takes the next one.
    later = services.submit_links(interest.member, interest.work.pk, "https://pirate.example.net/b", ["remove"])
    assert later.verdicts[0].link_ids[0] > max(r.pk for r in rows)
    at = timezone.now()
    insert_values(
        LinkEvent,
        [
            {"link_id": r.pk, "at": at, "kind": "note", "actor_id": None, "from_status": "", "to_status": "",
             "message": "Noted.", "data": {"n": i, "text": "é\t\"x\""}}
            for i, r in enumerate(rows)
        ],
    )  # fmt: skip
    notes = list(LinkEvent.objects.filter(kind="note").order_by("link_id"))
    assert [(e.link_id, e.data["n"], e.data["text"], e.at) for e in notes] == [
        (r.pk, i, 'é\t"x"', at) for i, r in enumerate(rows)
    ]


def test_values_get_their_ids_in_order_and_the_fields_they_do_not_name_their_defaults(registry_platforms):
    interest = InterestFactory()
    result = services.submit_links(interest.member, interest.work.pk, "https://pirate.example.net/a", ["remove"])
    first = ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])
    shared = [{"name": "pirate.example.net", "platform_id": None, "domain": "pirate.example.net"}]
    named = ("request_id", "member_id", "work_id", "action", "status", "submitted_url", "host", "registrable_domain")
    rows = [
        {
            **{name: getattr(first, name) for name in named},
            "url": f"https://pirate.example.net/{i}\t\\",
            "identity_key": f"pirate.example.net/{i}",
            "recipients": shared,  # one list for every row
            "submitted_url": lazystr(f"https://pirate.example.net/{i}"),  # a lazy string: its text
        }
        for i in range(3)
    ]
    before = timezone.now()
    ids = insert_values(ReportedLink, rows, want_ids=True)
    assert len(ids) == 3 and ids == sorted(ids) and ids[0] > first.pk
    for i, pk in enumerate(ids):
        stored = ReportedLink.objects.get(pk=pk)
        assert (stored.url, stored.recipients) == (f"https://pirate.example.net/{i}\t\\", shared)
        assert stored.submitted_url == f"https://pirate.example.net/{i}"
        assert (stored.escalation_level, stored.redirect_chain, stored.file_key, stored.quota_day) == (0, [], "", None)
        assert stored.created_at >= before - dt.timedelta(seconds=1) and stored.updated_at is not None
    assert insert_values(LinkEvent, []) == []
