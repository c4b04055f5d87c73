"""Real notices nobody here wrote, pasted whole into the intake: one verdict with a URL per URL
counted by hand (tests/linkkit/test_real_notices.py's HAND_COUNT), and every URL cited as given."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.linkkit import extract_urls
from sentinelle.takedowns import services
from sentinelle.takedowns.models import ReportedLink
from tests.factories import InterestFactory
from tests.linkkit.test_real_notices import HAND_COUNT

pytestmark = pytest.mark.django_db

# Three notices with many URLs, several on one host, apostrophes and parentheses among them.
NOTICES = ["2020-10-23-RIAA.md", "2022-02-23-qqmusic.md", "2024-08-02-prsformusic.md", "2019-06-12-IFPI.md"]


@pytest.mark.parametrize("name", NOTICES)
def test_a_pasted_notice_yields_one_verdict_per_url_counted_by_hand(shared_data: Path, settings, name: str) -> None:
    settings.SENTINELLE_DAILY_LINK_QUOTA = 1000
    text = (shared_data / "notices" / "github-dmca" / "notices" / name).read_text(encoding="utf-8")
    interest = InterestFactory()
    result = services.submit_links(interest.member, interest.work.pk, text, ["remove"])
    with_url = [v for v in result.verdicts if v.url]
    assert len(with_url) == HAND_COUNT[name]
    # Accepted or refused, each stored link cites the URL the notice gave (canonical form, same host).
    for link in ReportedLink.objects.all():
        assert link.host in link.submitted_url.lower() or link.unwrapped_from
    given = {url.split("://", 1)[1].split("/", 1)[0].lower() for url in extract_urls(text)}
    assert {link.host for link in ReportedLink.objects.all()} <= given
