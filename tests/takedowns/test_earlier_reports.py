"""``links.EarlierReports``: the earlier reports of many links of one work, read in one query (on
PostgreSQL the keys go to the server as one JSON text): every key finds its links whatever its
characters, and no other key's."""

from __future__ import annotations

import pytest

from sentinelle.takedowns.models import LinkStatus, ReportedLink, TakedownRequest
from sentinelle.takedowns.services.links import EarlierReports, LinkIdentity
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db

# Characters an array, JSON or text literal must quote, text that is not ASCII, a line break.
KEYS = [
    "pirate.example/dl/1",
    'pirate.example/dl/{a,b}/"x"\\y',
    "pirate.example/dl/é ñ 漢字",
    "pirate.example/dl/NULL",
    "pirate.example/dl/new\nline",
]


def _link(request: TakedownRequest, key: str, *, status: str = LinkStatus.ACCEPTED, file_key: str = "") -> int:
    link = ReportedLink.objects.create(
        request=request,
        member_id=request.member_id,
        work_id=request.work_id,
        action="remove",
        status=status,
        submitted_url=f"https://{key}",
        url=f"https://{key}",
        identity_key=key,
        file_key=file_key,
        host="pirate.example",
        registrable_domain="pirate.example",
        recipients=[],
    )
    return link.pk


@pytest.mark.parametrize("keys", [KEYS[:4], KEYS], ids=["four keys", "five keys"])
def test_each_key_finds_its_own_links_and_no_other(keys):
    interest = InterestFactory()
    request = TakedownRequest.objects.create(member=interest.member, work=interest.work, actions=["remove"])
    ids = {key: _link(request, key) for key in KEYS}
    refused = _link(request, keys[0], status=LinkStatus.REFUSED)
    by_file = _link(request, "mega.example/file/other-address", file_key="F1")
    other_work = TakedownRequest.objects.create(member=interest.member, work=InterestFactory().work, actions=["remove"])
    _link(other_work, keys[1])
    asked = [LinkIdentity(key) for key in keys[1:]] + [LinkIdentity("mega.example/file/f1", file_key="F1")]

    reports = EarlierReports(interest.work.pk, ["remove"], [LinkIdentity(keys[0]), *asked])

    assert {row.pk for row in reports.rows} == {ids[key] for key in keys} | {by_file}
    assert refused not in {row.pk for row in reports.rows}
    for key in keys:
        assert reports.active_duplicate("remove", LinkIdentity(key)).pk == ids[key]
    assert reports.active_duplicate("remove", LinkIdentity("pirate.example/dl/unknown")) is None
