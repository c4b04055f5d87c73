"""Every bad input of the issue's list ends in a recorded reason: never a crash, never a stuck row."""

from __future__ import annotations

import datetime as dt
import ipaddress
import zlib

import pytest
from django.utils import timezone

from sentinelle.recipients import selectors, services
from sentinelle.recipients.models import DomainDiscovery, Finding, NetworkLookup, State
from tests.recipients.world import HTML, TEXT, World, add_site, html, security_txt

pytestmark = pytest.mark.django_db


def run(net: World, domain: str) -> dict[str, dict[str, str]]:
    services.run_discovery(services.claim_domains([domain]), fetcher_factory=net.fetcher)
    row = DomainDiscovery.objects.get(registrable_domain=domain)
    assert row.lease_until is None  # never left claimed
    return {step["step"]: step for step in selectors.discovery_status(domain).steps}


def site_contacts(domain: str) -> list[str]:
    return [c.address for c in selectors.contacts_for(domain, "site")]


def test_an_expired_security_txt_is_recorded_and_its_contacts_not_used(net):
    body = security_txt("mailto:old@stale-sectxt.to", expires="2020-01-01T00:00:00Z")
    add_site(net, "stale-sectxt.to", "127.0.1.20", {"/.well-known/security.txt": (200, TEXT, body)})
    steps = run(net, "stale-sectxt.to")
    assert steps["security_txt"]["code"] == "expired"
    assert "2020-01-01" in steps["security_txt"]["message"]
    assert site_contacts("stale-sectxt.to") == []


def test_an_unsigned_security_txt_is_used_and_recorded_as_unsigned(net):
    add_site(
        net,
        "plain-sectxt.to",
        "127.0.1.21",
        {"/.well-known/security.txt": (200, TEXT, security_txt("mailto:a@plain-sectxt.to"))},
    )
    steps = run(net, "plain-sectxt.to")
    assert "unsigned" in steps["security_txt"]["message"]
    finding = Finding.objects.get(registrable_domain="plain-sectxt.to", source="security_txt")
    assert finding.detail["signed"] is False


def test_a_security_txt_served_as_a_web_page_is_not_read(net):
    page = html("<p>Contact: mailto:fake@html-sectxt.to</p>")
    add_site(net, "html-sectxt.to", "127.0.1.22", {"/.well-known/security.txt": (200, HTML, page)})
    assert run(net, "html-sectxt.to")["security_txt"]["code"] == "not_plain_text"


@pytest.mark.parametrize(
    ("href", "code"),
    [
        ("mailto:dmca@inject.to%0D%0ABcc:victim@example.org", "mailto_header_injection"),
        ("mailto:dmca@inject.to?bcc=victim@example.org", "mailto_several_addresses"),
        ("mailto:dmca@inject.to,victim@example.org", "mailto_several_addresses"),
        ("mailto:dmca@inject.to?X-Header=1", "mailto_header_injection"),
    ],
)
def test_a_bad_mailto_on_a_dmca_page_is_refused_with_its_reason(net, href, code):
    domain = f"inject-{zlib.crc32(href.encode())}.to"
    home = html("<a href='/dmca'>DMCA</a>")
    page = html(f"<a href='{href.replace('inject.to', domain)}'>write to us</a>")
    add_site(net, domain, "127.0.1.23", {"/": (200, HTML, home), "/dmca": (200, HTML, page)})
    steps = run(net, domain)
    assert code in steps["site_pages"]["message"]
    assert site_contacts(domain) == []


@pytest.mark.parametrize(
    ("address", "code", "state"),
    [
        ("127.0.4.1", "rdap_not_found", State.DONE),
        ("127.0.4.3", "rdap_malformed", State.DONE),
        ("127.0.4.7", "rdap_malformed", State.DONE),
        ("127.0.4.4", "rdap_too_large", State.DONE),
        ("127.0.4.5", "rdap_no_abuse_email", State.DONE),
        ("127.0.4.6", "rdap_server_error", State.RETRY),
    ],
)
def test_a_bad_rdap_answer_is_a_recorded_reason(net, address, code, state):
    domain = f"bad-rdap-{address.rsplit('.', 1)[1]}.to"
    add_site(net, domain, address, {})
    steps = run(net, domain)
    assert steps["hosting"]["code"] == code
    assert DomainDiscovery.objects.get(registrable_domain=domain).state == state
    assert not Finding.objects.filter(registrable_domain=domain, role="hosting").exists()


def test_a_429_is_retried_after_the_servers_retry_after_and_not_before(net):
    add_site(net, "throttled.to", "127.0.4.2", {})
    before = timezone.now()
    steps = run(net, "throttled.to")
    assert steps["hosting"]["code"] == "rdap_rate_limited"
    row = DomainDiscovery.objects.get(registrable_domain="throttled.to")
    assert row.state == State.RETRY
    assert row.next_run_at >= before + dt.timedelta(seconds=120)
    lookup = NetworkLookup.objects.get(start="127.0.4.2")
    assert lookup.code == "rdap_rate_limited" and not lookup.answered
    assert services.claim_due() == []  # not due yet


def test_a_failed_domain_is_claimed_again_once_its_backoff_has_passed(net):
    add_site(net, "flaky.to", "127.0.4.6", {})
    run(net, "flaky.to")
    DomainDiscovery.objects.filter(registrable_domain="flaky.to").update(next_run_at=timezone.now())
    NetworkLookup.objects.filter(start="127.0.4.6").update(expires_at=timezone.now())
    net.rdap_state["127.0.4.6"] = "fine"  # the server recovered: answers as an unknown network (404)
    claimed = services.claim_due()
    assert [r.registrable_domain for r in claimed] == ["flaky.to"]
    services.run_discovery(claimed, fetcher_factory=net.fetcher)
    row = DomainDiscovery.objects.get(registrable_domain="flaky.to")
    assert row.state == State.DONE and row.failures == 0


def test_backoff_doubles_with_each_failure_up_to_the_cap(settings):
    settings.SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS = 60
    settings.SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS = 300
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 300]


def test_a_dns_timeout_is_recorded_and_retried(net, settings):
    # Its lookups time out on purpose, about three one after another: at the world's generous 3 s
    # this test took 9.4 s instead of 1.6 s.
    settings.SENTINELLE_DNS_TIMEOUT_SECONDS = 0.4
    net.dns.zone.silent.add("silent-dns.to")
    steps = run(net, "silent-dns.to")
    assert steps["dns"]["code"] == "dns_timeout"
    assert steps["security_txt"]["code"] == "dns_timeout"
    assert DomainDiscovery.objects.get(registrable_domain="silent-dns.to").state == State.RETRY


def test_a_cname_loop_is_recorded(net):
    net.dns.zone.cname["loopy.to"] = "www.loopy.to"
    net.dns.zone.cname["www.loopy.to"] = "loopy.to"
    steps = run(net, "loopy.to")
    assert steps["dns"]["code"] == "dns_cname_loop"
    assert DomainDiscovery.objects.get(registrable_domain="loopy.to").state == State.DONE


def test_a_domain_pointing_at_a_private_address_is_never_connected_to(net):
    add_site(net, "inside-job.to", "10.20.30.40", {})
    net.connections.clear()
    steps = run(net, "inside-job.to")
    assert steps["security_txt"]["code"] == "blocked_address"
    assert steps["site_pages"]["code"] == "blocked_address"
    assert all(ipaddress.ip_address(address).is_loopback for address, _ in net.connections)


def test_an_unregistered_domain_gets_a_registrar_reason(net):
    add_site(net, "unregistered-thing.to", "127.0.1.24", {})
    assert run(net, "unregistered-thing.to")["registrar"]["code"] == "rdap_not_found"


def test_a_value_that_is_not_a_registrable_domain_is_refused():
    for bad in ("", "127.0.0.1", "http://x.to/", "www.example.co.uk", "com"):
        with pytest.raises(services.InvalidDomain):
            services.request_discovery(bad)
