"""Numbered torrent pages read after intake, against a local HTTP server standing in for the indexes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice
from sentinelle.takedowns import services
from sentinelle.takedowns.models import DailyQuotaUsage, LinkStatus, ReportedLink
from sentinelle.takedowns.tasks import read_torrent_pages
from tests.factories import InterestFactory, MemberFactory, make_platform
from tests.localnet import http_server

pytestmark = pytest.mark.django_db

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
OTHER = "3f8f219568b8b229581dddd7bc5a5e889e906a9b"


def page(info_hash: str, title: str = "Artist - Album (2024) [FLAC]") -> str:
    """A torrent page as 1337x shows one: the magnet link, and the hash as text."""
    return (
        f"<html><head><title>Download {title} Torrent | 1337x</title></head><body><h1>{title}</h1>"
        f'<a href="magnet:?xt=urn:btih:{info_hash.upper()}&amp;dn=album&amp;tr=udp%3A%2F%2Ftracker">Magnet Download</a>'
        f'<div class="infohash-box"><p><strong>Infohash :</strong> <span>{info_hash.upper()}</span></p></div>'
        "</body></html>"
    )


@dataclass
class Indexes:
    port: int = 0
    pages: dict[str, tuple[int, str]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    gets: int = 0

    def url(self, path: str, host: str = "1337x.to") -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(state: Indexes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.gets += 1
            if self.path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, text = state.pages.get(self.path, (404, "<h1>Not found</h1>"))
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def indexes(settings) -> Iterator[Indexes]:
    state = Indexes()
    with http_server(_handler(state)) as state.port:
        settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
        settings.SENTINELLE_FETCH_RESOLVE = {"1337x.to": "127.0.0.1", "btdig.com": "127.0.0.1"}
        state.pages = {
            "/torrent/101/artist-album-flac/": (200, page(HASH)),
            "/torrent/202/artist-album-reupload/": (200, page(HASH, "Artist - Album REUPLOAD")),
            "/torrent/303/another-album/": (200, page(OTHER, "Artist - Another Album")),
            "/torrent/404/search-results/": (200, page(HASH) + page(OTHER)),
            "/torrent/505/no-hash/": (200, "<html><body>Please log in to see this torrent.</body></html>"),
        }
        yield state


@pytest.fixture
def owned(registry_platforms):
    make_platform("1337x", "torrent_index", ["1337x.to"], contact_email="abuse@1337x.example")
    make_platform("BTDigg", "torrent_index", ["btdig.com"], contact_email="abuse@btdig.example")
    interest = InterestFactory()
    return interest.member, interest.work


def _report(member, work, url: str) -> ReportedLink:
    result = services.submit_links(member, work.pk, url, ["remove"])
    return ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])


def test_the_info_hash_is_read_on_the_page_before_the_first_notice(owned, indexes):
    member, work = owned
    link = _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    assert (link.content_key, link.info_hash, link.page_read_at) == ("1337x.to:torrent/101", "", None)
    assert notices.build_notices().notices == []  # not before its page is read

    summary = services.read_torrent_pages()

    link.refresh_from_db()
    assert (summary.read, summary.hashes, link.info_hash) == (1, 1, HASH)
    assert link.page_read_at is not None and link.status == LinkStatus.ACCEPTED
    assert HASH in link.events.latest("at").display_message()
    notices.build_notices()
    assert list(Notice.objects.values_list("recipient_platform__name", flat=True)) == ["1337x"]
    assert services.read_torrent_pages().read == 0  # read once


def test_another_page_of_a_torrent_already_reported_is_its_duplicate(owned, indexes):
    member, work = owned
    first = _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    again = _report(member, work, indexes.url("/torrent/202/artist-album-reupload/"))
    other = _report(member, work, indexes.url("/torrent/303/another-album/"))
    assert DailyQuotaUsage.objects.get(member=member).accepted == 3

    summary = read_torrent_pages.call()

    assert summary == {"read": 3, "hashes": 3, "duplicates": 1, "reappeared": 0, "unread": 0}
    again.refresh_from_db()
    assert (again.status, again.refusal_reason, again.duplicate_of_id, again.info_hash) == (
        LinkStatus.REFUSED,
        "duplicate",
        first.pk,
        HASH,
    )
    assert f"as link #{first.pk}" in again.events.latest("at").display_message()
    assert ReportedLink.objects.get(pk=other.pk).status == LinkStatus.ACCEPTED  # another torrent stays apart
    assert DailyQuotaUsage.objects.get(member=member).accepted == 2
    notices.build_notices()
    assert Notice.objects.get().items.count() == 2


def test_a_co_writers_page_of_the_same_torrent_is_refused_without_naming_their_link(owned, indexes):
    member, work = owned
    _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    co_writer = MemberFactory()
    InterestFactory(work=work, member=co_writer)
    theirs = _report(co_writer, work, indexes.url("/torrent/202/artist-album-reupload/"))
    services.read_torrent_pages()
    theirs.refresh_from_db()
    message = theirs.events.latest("at").display_message()
    assert (theirs.status, theirs.duplicate_of_id) == (LinkStatus.REFUSED, None)
    assert "another rights holder" in message and "#" not in message


def test_a_torrent_taken_down_and_back_under_a_new_page_is_a_reappearance(owned, indexes):
    member, work = owned
    first = _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    services.read_torrent_pages()
    services.change_status(first, LinkStatus.REMOVED, kind="check", message="gone")
    back = _report(member, work, indexes.url("/torrent/202/artist-album-reupload/"))
    assert DailyQuotaUsage.objects.get(member=member).accepted == 2

    assert services.read_torrent_pages().reappeared == 1

    first.refresh_from_db()
    back.refresh_from_db()
    assert (first.status, back.status) == (LinkStatus.REAPPEARED, LinkStatus.ACCEPTED)
    assert f"#{back.pk}" in first.events.latest("at").display_message()
    assert "outside your daily limit" in back.events.latest("at").display_message()
    assert DailyQuotaUsage.objects.get(member=member).accepted == 1


def test_the_same_torrent_on_another_index_is_a_link_of_its_own(owned, indexes):
    member, work = owned
    on_btdig = _report(member, work, indexes.url(f"/{HASH}", host="btdig.com"))
    assert on_btdig.info_hash == HASH  # its address carries the hash: nothing to read
    page_link = _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    services.read_torrent_pages()
    page_link.refresh_from_db()
    assert (page_link.status, page_link.info_hash) == (LinkStatus.ACCEPTED, HASH)
    assert indexes.gets == 1


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/torrent/404/search-results/", "several_info_hashes"),
        ("/torrent/505/no-hash/", "no_info_hash"),
        ("/torrent/606/gone/", "http_404"),
        ("/torrent/707/metadata/", "blocked_address"),
    ],
    ids=["a-list-page", "no-hash-shown", "page-gone", "redirect-to-a-private-address"],
)
def test_a_page_without_one_hash_goes_on_with_the_reason(owned, indexes, path, why):
    indexes.redirects["/torrent/707/metadata/"] = "http://169.254.169.254/latest/meta-data/"
    member, work = owned
    link = _report(member, work, indexes.url(path))
    assert services.read_torrent_pages().unread == 1
    link.refresh_from_db()
    assert (link.info_hash, link.status) == ("", LinkStatus.ACCEPTED)
    assert link.page_read_at is not None
    assert why in link.events.latest("at").display_message()
    notices.build_notices()
    assert Notice.objects.count() == 1  # the notice is not held back


def test_the_submission_queues_its_torrent_pages(owned, indexes, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    member, work = owned
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_links(member, work.pk, indexes.url("/torrent/101/artist-album-flac/"), ["remove"])
    assert ReportedLink.objects.get().info_hash == HASH


def test_the_page_and_the_api_show_the_info_hash(owned, indexes, client):
    from sentinelle.members.services import create_api_token

    member, work = owned
    link = _report(member, work, indexes.url("/torrent/101/artist-album-flac/"))
    services.read_torrent_pages()
    client.force_login(member.user)
    assert HASH in client.get(f"/links/{link.pk}/").content.decode()
    _row, token = create_api_token(member.user, "test")
    answer = client.get(f"/api/v1/links/{link.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert answer["info_hash"] == HASH


def test_a_pasted_magnet_link_is_refused_with_what_to_report_instead(owned):
    member, work = owned
    result = services.submit_links(member, work.pk, f"magnet:?xt=urn:btih:{HASH}&dn=album", ["remove"])
    verdict = result.verdicts[0]
    assert (verdict.outcome, verdict.reason) == (services.REFUSED, "not_a_url")
    assert "magnet link names a torrent" in verdict.message
    other = services.submit_links(member, work.pk, "ftp://files.example/album.zip", ["remove"]).verdicts[0]
    assert "Only web addresses" in other.message
