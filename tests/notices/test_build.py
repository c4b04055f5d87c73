"""The builder: grouping, sizes, recipients per level, idempotence."""

from __future__ import annotations

from collections import Counter

import pytest

from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeItem, NoticeStatus
from sentinelle.takedowns.models import LinkStatus
from tests.factories import make_platform
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


def test_2500_links_3_platforms_2_regimes_make_the_expected_notices():
    eu_fr = email_platform("Hébergeur FR", "hebergeur.fr", regime="eu", language="fr")
    us_en = email_platform("US Locker", "uslocker.com", regime="us", language="en")
    eu_en = email_platform("EU Host", "euhost.ie", regime="eu", language="en")
    r = rights()
    make_links(r, eu_fr, [f"https://hebergeur.fr/f/{i}" for i in range(1200)])
    make_links(r, us_en, [f"https://uslocker.com/f/{i}" for i in range(900)])
    make_links(r, eu_en, [f"https://euhost.ie/f/{i}" for i in range(400)])

    result = services.build_notices()

    notices = Notice.objects.order_by("recipient_name", "pk")
    sizes = sorted((n.recipient_name, n.regime, n.language, n.items.count()) for n in notices)
    assert sizes == [
        ("EU Host", "eu", "en", 400),
        ("Hébergeur FR", "eu", "fr", 200),
        ("Hébergeur FR", "eu", "fr", 1000),
        ("US Locker", "us", "en", 900),
    ]
    assert result.links == 2500 and result.items == 2500
    assert NoticeItem.objects.count() == 2500
    assert set(notices.values_list("status", flat=True)) == {NoticeStatus.QUEUED}
    for notice in notices:  # one regime each: the text is that regime's
        assert ("§512(c)(3)" in notice.body) == (notice.regime == "us")
        assert ("2022/2065" in notice.body) == (notice.regime == "eu")


def test_max_urls_setting_bounds_each_notice(settings):
    settings.SENTINELLE_NOTICE_MAX_URLS = 7
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, [f"https://host.fr/{i}" for i in range(20)])
    services.build_notices()
    assert sorted(n.items.count() for n in Notice.objects.all()) == [6, 7, 7]


def test_building_twice_builds_nothing_new():
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, [f"https://host.fr/{i}" for i in range(5)])
    first = services.build_notices()
    second = services.build_notices()
    assert len(first.notices) == 1
    assert second.notices == [] and second.items == 0
    assert Notice.objects.count() == 1


def test_delist_makes_one_notice_per_search_engine(registry_platforms):
    google, bing = registry_platforms["google"], registry_platforms["bing"]
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    make_links(
        rights(),
        site,
        ["https://pirate.example/a", "https://pirate.example/b"],
        action="delist",
        recipients=[google, bing],
    )
    services.build_notices()
    per_engine = Counter(Notice.objects.values_list("recipient_name", flat=True))
    assert per_engine == {"Google": 1, "Bing": 1}
    google_notice = Notice.objects.get(recipient_name="Google")
    assert google_notice.regime == "us" and "§512(d)" in google_notice.body


def test_escalated_level_1_is_a_reminder_to_the_same_recipient():
    host = email_platform("Host", "host.fr")
    (link,) = make_links(rights(), host, ["https://host.fr/x"])
    services.build_notices()
    link.status, link.escalation_level = LinkStatus.ESCALATED, 1
    link.save()
    services.build_notices()
    reminder = Notice.objects.get(escalation_level=1)
    assert reminder.recipient_platform == host
    assert reminder.body.count("RELANCE") == 1
    assert services.build_notices().notices == []


def test_level_2_goes_to_the_hosting_provider():
    provider = email_platform("Big Hosting", "bighosting.com", regime="us", language="en")
    site = email_platform("Pirate", "pirate.fr", hosting_provider=provider)
    make_links(rights(), site, ["https://pirate.fr/x"], status=LinkStatus.ESCALATED, level=2)
    services.build_notices()
    notice = Notice.objects.get()
    assert notice.recipient_platform == provider and notice.escalation_level == 2
    assert notice.regime == "us" and "pirate.fr" in notice.body


def test_level_2_without_a_known_host_is_reported_unroutable():
    site = email_platform("Pirate", "pirate.fr")
    (link,) = make_links(rights(), site, ["https://pirate.fr/x"], status=LinkStatus.ESCALATED, level=2)
    result = services.build_notices()
    assert result.unroutable == [link.pk] and not Notice.objects.exists()


def test_recipient_without_contact_is_held_as_draft():
    site = make_platform("No Contact", "file_host", ["nocontact.fr"], jurisdiction="FR", notice_channel="email")
    make_links(rights(), site, ["https://nocontact.fr/x"])
    services.build_notices()
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.DRAFT and notice.channel == "none" and notice.hold_reason


def test_a_site_with_many_works_is_listed_in_the_representative_form(settings):
    settings.SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN = 3
    host = email_platform("Host", "host.fr", regime="us", language="en")
    for i in range(4):
        make_links(rights(f"Song {i}"), host, [f"https://host.fr/song{i}"])
    services.build_notices()
    body = Notice.objects.get().body
    assert "representative list of the works at this site: W1, W2, W3, W4" in body


def test_links_in_other_statuses_are_not_due():
    host = email_platform("Host", "host.fr")
    r = rights()
    make_links(r, host, ["https://host.fr/refused"], status=LinkStatus.REFUSED)
    make_links(r, host, ["https://host.fr/removed"], status=LinkStatus.REMOVED)
    assert services.build_notices().notices == []


def test_the_reports_of_one_content_stay_in_the_same_notice(settings):
    """Two works' reports of one file sit side by side, so a split notice does not part them."""
    settings.SENTINELLE_NOTICE_MAX_URLS = 2
    host = email_platform("Host", "host.fr")
    first, second = rights("Premier"), rights("Second")
    make_links(first, host, ["https://host.fr/b", "https://host.fr/a"])
    make_links(second, host, ["https://host.fr/b"])
    services.build_notices()
    notices = [sorted(n.items.values_list("url", flat=True)) for n in Notice.objects.order_by("pk")]
    assert sorted(notices) == [["https://host.fr/a"], ["https://host.fr/b", "https://host.fr/b"]]


def test_notice_chunks_part_a_content_only_when_it_alone_exceeds_the_size():
    from sentinelle.notices.services.build import notice_chunks

    group = [{"identity_key": key} for key in "abbcccccd"]
    sizes = [[link["identity_key"] for link in chunk] for chunk in notice_chunks(group, 3)]
    assert sizes == [["a", "b", "b"], ["c", "c", "c"], ["c", "c", "d"]]
