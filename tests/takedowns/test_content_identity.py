"""The content key stored on each link: one tweet, one file, one torrent page is one link."""

import importlib

import pytest
from django.apps import apps

from sentinelle.takedowns import services
from sentinelle.takedowns.models import LinkStatus, ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db

HASH = "0123456789abcdef0123456789abcdef01234567"
backfill_migration = importlib.import_module("sentinelle.takedowns.migrations.0004_content_key_backfill")


@pytest.fixture
def owned(registry_platforms):
    interest = InterestFactory()
    return interest.member, interest.work


def test_variants_of_one_tweet_are_one_link_within_and_across_submissions(owned):
    member, work = owned
    first = services.submit_links(
        member,
        work.pk,
        "https://x.com/SomeOne/status/1790000000000000001\n"
        "https://twitter.com/someone/statuses/1790000000000000001?lang=en\n"
        "https://mobile.twitter.com/i/web/status/1790000000000000001\n",
        ["remove"],
    )
    assert [(v.outcome, v.reason) for v in first.verdicts] == [
        ("accepted", ""),
        ("refused", "duplicate"),
        ("refused", "duplicate"),
    ]
    link = ReportedLink.objects.get()
    assert (link.content_key, link.identity_key) == ("x.com:status/1790000000000000001",) * 2
    assert link.url == "https://x.com/SomeOne/status/1790000000000000001"  # as the member gave it
    again = services.submit_links(
        member, work.pk, "https://x.com/another_name/status/1790000000000000001/photo/1", ["remove"]
    )
    assert (again.verdicts[0].reason, again.verdicts[0].duplicate_of) == ("duplicate", link.pk)


def test_a_file_under_the_hosts_alias_is_the_same_link_and_cites_the_alias(owned):
    member, work = owned
    first = services.submit_links(member, work.pk, "http://ul.to/abc12345", ["remove"])
    link = ReportedLink.objects.get(pk=first.verdicts[0].link_ids[0])
    assert (link.url, link.host, link.content_key) == ("http://ul.to/abc12345", "ul.to", "uploaded.net:abc12345")
    again = services.submit_links(member, work.pk, "https://uploaded.net/file/abc12345", ["remove"])
    assert (again.verdicts[0].reason, again.verdicts[0].duplicate_of) == ("duplicate", link.pk)


def test_a_torrent_page_stores_its_info_hash(owned):
    member, work = owned
    services.submit_links(member, work.pk, f"https://btdig.com/{HASH.upper()}", ["remove"])
    link = ReportedLink.objects.get()
    assert (link.content_key, link.info_hash) == (f"btdig.com:btih/{HASH}", HASH)


def test_a_removed_tweet_reported_again_is_a_reappearance(owned):
    member, work = owned
    services.submit_links(member, work.pk, "https://x.com/a/status/42", ["remove"])
    earlier = ReportedLink.objects.get()
    services.change_status(earlier, LinkStatus.REMOVED, kind="check", message="404 twice")
    again = services.submit_links(member, work.pk, "https://x.com/A/status/42?s=20", ["remove"])
    assert (again.verdicts[0].outcome, again.verdicts[0].reappearance_of) == ("accepted", earlier.pk)


def _old_row(member, work, **fields):
    request = services.submit_links(member, work.pk, "https://pirate.example.org/seed", ["remove"]).request
    return ReportedLink.objects.create(
        request=request, member=member, work=work, action="remove", status=LinkStatus.ACCEPTED, **fields
    )


def test_the_migration_gives_old_links_their_content_keys_and_the_cited_url_back(owned):
    member, work = owned
    tweet = _old_row(
        member,
        work,
        submitted_url="see https://twitter.com/A/status/77?lang=en",
        url="https://twitter.com/A/status/77?lang=en",
        identity_key="twitter.com/A/status/77?lang=en",
        host="twitter.com",
        registrable_domain="twitter.com",
    )
    aliased = _old_row(
        member,
        work,
        submitted_url="http://ul.to/zz998877",
        url="https://uploaded.net/file/zz998877",
        identity_key="uploaded.net/file/zz998877",
        file_key="uploaded.net:zz998877",
        host="uploaded.net",
        registrable_domain="uploaded.net",
    )
    unwrapped = _old_row(
        member,
        work,
        submitted_url="https://www.google.com/url?q=https://pirate.example.org/t/1",
        url="https://pirate.example.org/t/1",
        identity_key="pirate.example.org/t/1",
        host="pirate.example.org",
        registrable_domain="example.org",
        unwrapped_from="google",
    )
    backfill_migration.backfill(apps, None)
    tweet.refresh_from_db()
    aliased.refresh_from_db()
    unwrapped.refresh_from_db()
    assert (tweet.identity_key, tweet.content_key, tweet.url) == (
        "x.com:status/77",
        "x.com:status/77",
        "https://twitter.com/A/status/77?lang=en",
    )
    assert (aliased.url, aliased.host, aliased.content_key) == (
        "http://ul.to/zz998877",
        "ul.to",
        "uploaded.net:zz998877",
    )
    assert (unwrapped.url, unwrapped.content_key) == ("https://pirate.example.org/t/1", "")
    # The stored keys are what intake compares: the same tweet under another form is a duplicate.
    again = services.submit_links(member, work.pk, "https://x.com/b/status/77", ["remove"])
    assert (again.verdicts[0].reason, again.verdicts[0].duplicate_of) == ("duplicate", tweet.pk)
