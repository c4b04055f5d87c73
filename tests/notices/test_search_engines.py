"""Which search engines receive delisting notices, and how a notice names Google."""

from __future__ import annotations

import pytest

from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice
from sentinelle.platforms.selectors import invalidate_registry
from sentinelle.takedowns import services
from sentinelle.takedowns.models import ReportedLink
from tests.factories import InterestFactory, make_platform

pytestmark = pytest.mark.django_db

DMCA_SEARCH_FORM = "https://reportcontent.google.com/forms/dmca_search"


@pytest.fixture
def engines():
    found = {
        "google": make_platform(
            "Google Search",
            "search_engine",
            ["google.at", "google.com", "google.fr"],
            jurisdiction="US",
            notice_channel="bulk_file",
            contact_url=DMCA_SEARCH_FORM,
        ),
        "bing": make_platform(
            "Bing",
            "search_engine",
            ["bing.com"],
            jurisdiction="US",
            notice_channel="web_form",
            contact_url="https://www.microsoft.com/en-us/concern/bing",
        ),
        **{
            name.lower(): make_platform(name, "search_engine", [domain])
            for name, domain in [("Yandex", "yandex.ru"), ("Baidu", "baidu.com"), ("Qwant", "qwant.com")]
        },
    }
    invalidate_registry()
    yield found
    invalidate_registry()


def _delist(engines) -> list[ReportedLink]:
    interest = InterestFactory()
    services.submit_links(interest.member, interest.work.pk, "https://pirate.example/track/1", ["delist"])
    return list(ReportedLink.objects.all())


def test_delisting_goes_to_google_and_bing_by_default(engines):
    (link,) = _delist(engines)
    assert [(r["name"], r["domain"]) for r in link.recipients] == [
        ("Google Search", "google.com"),
        ("Bing", "bing.com"),
    ]


def test_the_search_engines_are_the_societys_choice(engines, settings):
    settings.SENTINELLE_DELIST_SEARCH_ENGINES = ["qwant.com", "bing.com"]
    invalidate_registry()
    (link,) = _delist(engines)
    assert [r["name"] for r in link.recipients] == ["Qwant", "Bing"]


def test_an_empty_choice_means_every_search_engine(engines, settings):
    settings.SENTINELLE_DELIST_SEARCH_ENGINES = []
    invalidate_registry()
    (link,) = _delist(engines)
    assert sorted(r["name"] for r in link.recipients) == ["Baidu", "Bing", "Google Search", "Qwant", "Yandex"]


def test_a_notice_to_google_names_its_designated_address_not_a_country_domain(engines):
    _delist(engines)
    notices.build_notices()
    google = Notice.objects.get(recipient_platform=engines["google"])
    assert google.recipient_domain == "google.com"
    assert f"To: Google Search ({DMCA_SEARCH_FORM}), designated agent" in google.body
    assert "google.at" not in google.body
