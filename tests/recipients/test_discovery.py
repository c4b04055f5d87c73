"""Discovery end to end against the local world: the 100+ fixture domains, caching, overrides."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from django.utils import timezone

from sentinelle.recipients import selectors, services
from sentinelle.recipients.models import ContactOverride, DomainDiscovery, Finding, Kind, Role, State
from sentinelle.recipients.selectors import Purpose
from tests.recipients.world import World, add_site, html, security_txt

pytestmark = pytest.mark.django_db


def discover(net: World, *domains: str) -> services.RunSummary:
    return services.run_discovery(services.claim_domains(domains), fetcher_factory=net.fetcher)


def found_set(domain: str) -> set[tuple[str, str, str, str]]:
    return {(c.role, c.kind, c.address, c.source) for c in selectors.contacts_for(domain, Purpose.ALL)}


def test_every_fixture_domain_gets_its_contacts_with_their_source_or_a_recorded_reason(net):
    assert len(net.expected) >= 100
    summary = discover(net, *net.expected)
    assert summary.domains == len(net.expected)
    for domain, expect in net.expected.items():
        assert found_set(domain) == set(expect.contacts), domain
        status = selectors.discovery_status(domain)
        if expect.contacts:
            assert status.state == State.DONE
        else:
            codes = {step["step"]: step["code"] for step in status.steps}
            assert {k: codes[k] for k in expect.reason_steps} == expect.reason_steps, domain
            assert status.summary.startswith("no contact found"), domain
    assert all(ipaddress.ip_address(address).is_loopback for address, _ in net.connections)


def test_each_contact_records_where_and_when_it_was_found_and_until_when(net):
    discover(net, "mp3-vault-03.to")
    finding = Finding.objects.get(registrable_domain="mp3-vault-03.to", role=Role.SITE)
    assert finding.source_url == "https://mp3-vault-03.to/.well-known/security.txt"
    assert finding.found_at <= timezone.now() < finding.expires_at
    hosting = Finding.objects.get(registrable_domain="mp3-vault-03.to", role=Role.HOSTING)
    assert hosting.network is not None and hosting.network.handle == "NET-127-0-1-0-1"
    assert hosting.detail["organisation"] == "Host A Inc"


def test_a_network_is_asked_once_for_every_domain_it_hosts(net):
    add_site(net, "same-net-a.to", "127.0.1.40", {})
    add_site(net, "same-net-b.to", "127.0.1.41", {})
    discover(net, "same-net-a.to", "same-net-b.to")
    assert net.hits["rdap/arin/ip/127.0.1.40"] + net.hits["rdap/arin/ip/127.0.1.41"] == 1
    assert found_set("same-net-b.to") >= {("hosting", "email", "abuse@host-a.example", "rdap_ip")}


def test_the_network_cache_serves_a_later_run_from_the_table(net):
    add_site(net, "later-a.to", "127.0.2.200", {})
    add_site(net, "later-b.to", "127.0.2.201", {})
    discover(net, "later-a.to")
    discover(net, "later-b.to")
    assert net.hits["rdap/ripe/ip/127.0.2.201"] == 0
    assert ("hosting", "email", "abuse@host-d.example", "rdap_ip") in found_set("later-b.to")


def test_contacts_come_site_first_then_hosting_then_cdn_and_the_registrar_only_for_escalation(net):
    discover(net, "mp3-vault-04.cc")
    notice = selectors.contacts_for("mp3-vault-04.cc", Purpose.NOTICE)
    assert [c.role for c in notice] == ["site", "site", "hosting"]
    assert notice[0].kind == Kind.EMAIL and notice[0].address == "dmca@mp3-vault-04.cc"
    escalation = selectors.contacts_for("mp3-vault-04.cc", Purpose.ESCALATION)
    assert [(c.role, c.address) for c in escalation] == [("registrar", "abuse@registrar-cc.example")]
    assert [c.role for c in selectors.contacts_for("mp3-vault-04.cc", Purpose.HOSTING)] == ["hosting"]


def test_a_staff_contact_wins_over_discovery_for_its_role(net, django_user_model):
    discover(net, "flac-share-00.to")
    staff = django_user_model.objects.create_user(email="desk@example.org", password="x" * 12)
    override = ContactOverride(registrable_domain="FLAC-SHARE-00.to", role=Role.SITE, address="legal@owner.example")
    services.save_override(override, staff)
    contacts = selectors.contacts_for("flac-share-00.to", Purpose.NOTICE)
    assert [(c.role, c.address, c.source) for c in contacts][:2] == [
        ("site", "legal@owner.example", "staff"),
        ("hosting", "abuse@host-c.example", "rdap_ip"),
    ]
    assert "copyright0@flac-share-00.to" not in {c.address for c in contacts}


def test_a_contact_set_aside_by_staff_stays_aside_when_found_again(net, django_user_model):
    discover(net, "flac-share-01.cc")
    staff = django_user_model.objects.create_user(email="desk2@example.org", password="x" * 12)
    finding = Finding.objects.get(registrable_domain="flac-share-01.cc", role=Role.SITE)
    services.set_aside([finding.pk], staff)
    discover(net, "flac-share-01.cc")
    assert "copyright1@flac-share-01.cc" not in {c.address for c in selectors.contacts_for("flac-share-01.cc")}
    assert Finding.objects.get(pk=finding.pk).rejected_by == staff


def test_a_contact_no_longer_found_is_withdrawn_not_deleted(net):
    add_site(
        net,
        "moving-agent.to",
        "127.0.1.50",
        {"/.well-known/security.txt": (200, "text/plain", security_txt("mailto:old@moving-agent.to"))},
    )
    discover(net, "moving-agent.to")
    net.sites["moving-agent.to"]["/.well-known/security.txt"] = (
        200,
        "text/plain",
        security_txt("mailto:new@moving-agent.to"),
    )
    discover(net, "moving-agent.to")
    addresses = [c.address for c in selectors.contacts_for("moving-agent.to", Purpose.SITE)]
    assert addresses == ["new@moving-agent.to"]
    old = Finding.objects.get(address="old@moving-agent.to")
    assert old.withdrawn_at is not None


def test_an_expired_contact_is_not_used(net):
    discover(net, "rip-tracks-02.net")
    Finding.objects.filter(registrable_domain="rip-tracks-02.net").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert selectors.contacts_for("rip-tracks-02.net", Purpose.ALL) == []


def test_a_done_domain_runs_again_when_its_first_contact_expires(net):
    add_site(
        net,
        "short-lived.to",
        "127.0.1.51",
        {
            "/.well-known/security.txt": (
                200,
                "text/plain",
                security_txt("mailto:a@short-lived.to", expires="2099-01-01T00:00:00Z"),
            )
        },
    )
    discover(net, "short-lived.to")
    row = DomainDiscovery.objects.get(registrable_domain="short-lived.to")
    first_expiry = min(Finding.objects.filter(registrable_domain="short-lived.to").values_list("expires_at", flat=True))
    assert row.state == State.DONE and row.next_run_at == first_expiry


def test_the_home_page_mailto_counts_when_no_page_is_linked(net):
    add_site(
        net,
        "footer-mail.to",
        "127.0.1.52",
        {"/": (200, "text/html", html("<footer><a href='mailto:team@footer-mail.to'>mail</a></footer>"))},
    )
    discover(net, "footer-mail.to")
    assert ("site", "email", "team@footer-mail.to", "site_page") in found_set("footer-mail.to")
