"""Short links followed after intake, against a local HTTP server standing in for the shorteners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice
from sentinelle.takedowns import services
from sentinelle.takedowns.models import DailyQuotaUsage, LinkStatus, ReportedLink
from sentinelle.takedowns.tasks import resolve_short_links
from tests.factories import InterestFactory, make_platform
from tests.localnet import http_server

pytestmark = pytest.mark.django_db

HOSTS = ("bit.ly", "t.co", "pirate.example", "youtube.com", "www.youtube.com")


@dataclass
class Shorteners:
    """Answers per (host, path): a redirect to ``{port}``-filled targets, else 404."""

    port: int = 0
    routes: dict[tuple[str, str], str] = field(default_factory=dict)
    methods: Counter[str] = field(default_factory=Counter)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(state: Shorteners) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            state.methods[self.command] += 1
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            location = state.routes.get((host, self.path))
            if location is not None:
                self.send_response(301)
                self.send_header("Location", location.format(port=state.port))
            else:
                self.send_response(200 if host == "pirate.example" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = _answer
        do_GET = _answer

    return Handler


@pytest.fixture
def shorteners(settings) -> Iterator[Shorteners]:
    state = Shorteners()
    with http_server(_handler(state)) as state.port:
        settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
        settings.SENTINELLE_FETCH_RESOLVE = {host: "127.0.0.1" for host in HOSTS}
        state.routes = {
            ("bit.ly", "/pirate"): "http://t.co:{port}/hop",
            ("t.co", "/hop"): "http://pirate.example:{port}/song",
            ("pirate.example", "/song"): "http://pirate.example:{port}/song/",  # the target's own redirect
            ("t.co", "/licensed"): "http://www.youtube.com:{port}/watch?v=dQw4w9WgXcQ",
            **{("bit.ly", f"/loop{n}"): f"http://bit.ly:{{port}}/loop{n + 1}" for n in range(10)},
        }
        yield state


@pytest.fixture
def owned(registry_platforms):
    make_platform("t.co (X)", "url_shortener", ["t.co"], contact_email="copyright@t.co.example")
    make_platform("Pirate", "link_site", ["pirate.example"], contact_email="abuse@pirate.example")
    interest = InterestFactory()
    return interest.member, interest.work


def test_a_short_link_is_followed_to_its_target_and_both_platforms_get_a_notice(owned, shorteners):
    member, work = owned
    result = services.submit_links(member, work.pk, shorteners.url("bit.ly", "/pirate"), ["remove"])
    short = ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])
    assert short.shortener and short.resolved_at is None
    assert notices.build_notices().notices == []  # not before it is followed

    summary = services.resolve_short_links()

    short.refresh_from_db()
    target = short.target_link
    assert summary.targets == [target.pk]
    assert [hop["url"] for hop in short.redirect_chain] == [
        shorteners.url("bit.ly", "/pirate"),
        shorteners.url("t.co", "/hop"),
        shorteners.url("pirate.example", "/song"),
        shorteners.url("pirate.example", "/song/"),
    ]
    assert short.resolved_url == target.url == shorteners.url("pirate.example", "/song")
    assert (target.status, target.platform.name, target.quota_day, target.work_id) == (
        LinkStatus.ACCEPTED,
        "Pirate",
        None,
        work.pk,
    )
    assert f"followed as link #{target.pk}" in short.events.latest("at").display_message()
    assert shorteners.methods["GET"] == 0  # HEAD only: no body is read
    notices.build_notices()
    assert set(Notice.objects.values_list("recipient_platform__name", flat=True)) == {"Bitly", "Pirate"}


def test_a_short_link_to_a_licensed_platform_is_refused_and_gives_its_quota_back(owned, shorteners):
    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("t.co", "/licensed"), ["remove", "delist"])
    assert DailyQuotaUsage.objects.get(member=member).accepted == 1
    resolve_short_links.call()
    links = ReportedLink.objects.filter(shortener=True)
    assert {(link.status, link.refusal_reason) for link in links} == {(LinkStatus.REFUSED, "licensed_platform")}
    message = links[0].events.latest("at").display_message()
    assert "YouTube" in message and "licensed by the society" in message
    assert DailyQuotaUsage.objects.get(member=member).accepted == 0
    assert ReportedLink.objects.count() == 2  # no link for the target
    assert notices.build_notices().notices == []


def test_the_target_already_reported_is_named_not_opened_again(owned, shorteners):
    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("pirate.example", "/song"), ["remove"])
    earlier = ReportedLink.objects.get()
    services.submit_links(member, work.pk, shorteners.url("bit.ly", "/pirate"), ["remove"])
    assert services.resolve_short_links().targets == [earlier.pk]
    assert ReportedLink.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "why"),
    [("/loop0", "too_many_redirects"), ("/gone", "no_target")],
    ids=["more-than-5-hops", "dead-short-link"],
)
def test_a_short_link_that_leads_nowhere_goes_to_the_shortener_alone(owned, shorteners, path, why):
    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("bit.ly", path), ["remove"])
    summary = services.resolve_short_links()
    short = ReportedLink.objects.get()
    assert (summary.unresolved, short.resolution_error, short.status) == (1, why, LinkStatus.ACCEPTED)
    assert short.resolved_at is not None and short.target_link is None
    assert why in short.events.latest("at").display_message()
    notices.build_notices()
    assert list(Notice.objects.values_list("recipient_platform__name", flat=True)) == ["Bitly"]


def test_a_short_link_to_a_private_address_is_not_followed(owned, shorteners):
    shorteners.routes[("bit.ly", "/metadata")] = "http://169.254.169.254/latest/meta-data/"
    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("bit.ly", "/metadata"), ["remove"])
    services.resolve_short_links()
    assert ReportedLink.objects.get().resolution_error == "blocked_address"


def test_the_submission_queues_its_short_links(owned, shorteners, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    member, work = owned
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_links(member, work.pk, shorteners.url("bit.ly", "/pirate"), ["remove"])
    assert ReportedLink.objects.get(shortener=True).target_link is not None


def test_the_member_page_shows_where_the_short_link_leads(owned, shorteners, client):
    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("bit.ly", "/pirate"), ["remove"])
    short = ReportedLink.objects.get()
    client.force_login(member.user)
    page = client.get(f"/links/{short.pk}/").content.decode()
    assert "find where it leads" in page
    services.resolve_short_links()
    page = client.get(f"/links/{short.pk}/").content.decode()
    assert shorteners.url("t.co", "/hop") in page and shorteners.url("pirate.example", "/song") in page
    short.refresh_from_db()
    assert f"#{short.target_link_id}</a>" in page


def test_the_api_says_where_a_short_link_leads(owned, shorteners, client):
    from sentinelle.members.services import create_api_token

    member, work = owned
    services.submit_links(member, work.pk, shorteners.url("bit.ly", "/pirate"), ["remove"])
    services.resolve_short_links()
    short = ReportedLink.objects.get(shortener=True)
    _row, token = create_api_token(member.user, "test")
    answer = client.get(f"/api/v1/links/{short.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert answer["leads_to"] == shorteners.url("pirate.example", "/song")
