"""Routing (issue 12): who receives a link's notice by kind of platform, staff first, holds and their release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sentinelle.notices import routing, services
from sentinelle.notices.models import Notice, NoticeStatus, ParkedLink
from sentinelle.recipients.models import ContactOverride, DomainDiscovery, Finding
from sentinelle.recipients.services import save_override
from sentinelle.recipients.signals import contacts_changed
from tests.factories import make_platform
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


def found(domain: str, role: str, kind: str, address: str, source: str, **detail: object) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        registrable_domain=domain,
        role=role,
        kind=kind,
        address=address,
        source=source,
        source_url=f"https://{domain}/.well-known/security.txt" if source == "security_txt" else "",
        detail=detail,
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
    )


def by_key() -> dict[str, Notice]:
    return {n.recipient_key: n for n in Notice.objects.exclude(status=NoticeStatus.DISCARDED)}


def test_a_link_site_gets_the_notice_at_its_address_and_its_host_a_hosting_provider_notice():
    found("warez-links.to", "site", "email", "dmca@warez-links.to", "security_txt")
    found("warez-links.to", "hosting", "email", "abuse@hostco.example", "rdap_ip", organisation="HostCo Ltd")
    make_links(rights(), None, ["https://warez-links.to/t/1", "https://warez-links.to/t/2"])

    services.build_notices()

    notices = by_key()
    assert set(notices) == {"d:warez-links.to", "h:warez-links.to"}
    site, host = notices["d:warez-links.to"], notices["h:warez-links.to"]
    assert (site.channel, site.recipient_email, site.status) == ("email", "dmca@warez-links.to", NoticeStatus.QUEUED)
    assert site.route == {
        "role": "site",
        "source": "security_txt",
        "source_url": "https://warez-links.to/.well-known/security.txt",
        "finding_id": Finding.objects.get(address="dmca@warez-links.to").pk,
        "override_id": None,
    }
    assert (host.recipient_name, host.recipient_email, host.route["source"]) == (
        "HostCo Ltd",
        "abuse@hostco.example",
        "rdap_ip",
    )
    assert "We notify you as its hosting provider" in host.body
    assert "We notify you as its hosting provider" not in site.body
    assert host.items.count() == site.items.count() == 2


def test_a_file_host_gets_the_notice_itself_and_staff_contact_wins_over_registry_and_discovery():
    locker = email_platform("Locker", "locker.example", kind="file_host")
    found("locker.example", "site", "email", "found@locker.example", "site_page")
    found("locker.example", "hosting", "email", "abuse@hostco.example", "rdap_ip")
    ContactOverride.objects.create(registrable_domain="locker.example", address="legal@locker.example")
    make_links(rights(), locker, ["https://locker.example/f/1"])

    services.build_notices()

    assert list(by_key()) == [f"p:{locker.pk}"]  # no hosting-provider notice: the platform acts itself
    notice = by_key()[f"p:{locker.pk}"]
    assert (notice.recipient_email, notice.route["source"]) == ("legal@locker.example", "staff")


def test_a_file_host_without_a_registry_contact_uses_the_one_discovery_found():
    locker = make_platform("Quiet Locker", "file_host", ["quiet.example"], notice_channel="email")
    found("quiet.example", "site", "email", "copyright@quiet.example", "site_page")
    make_links(rights(), locker, ["https://quiet.example/f/1"])
    services.build_notices()
    notice = by_key()[f"p:{locker.pk}"]
    assert (notice.status, notice.recipient_email, notice.route["source"]) == (
        NoticeStatus.QUEUED,
        "copyright@quiet.example",
        "site_page",
    )


def test_a_site_behind_a_cdn_gets_a_hand_delivery_asking_the_cdn_to_forward_it():
    found("hidden.to", "cdn", "web_form", "https://abuse.cloudflare.com/", "cdn_ranges", cdn="Cloudflare")
    make_links(rights(), None, ["https://hidden.to/a"])
    services.build_notices()
    notice = by_key()["h:hidden.to"]
    assert (notice.channel, notice.recipient_endpoint, notice.recipient_name) == (
        "web_form",
        "https://abuse.cloudflare.com/",
        "Cloudflare",
    )
    assert notice.status == NoticeStatus.QUEUED and notice.route["role"] == "cdn"
    assert "forward this notice to the hosting provider of their origin server" in notice.body


def test_a_site_nobody_answers_for_is_held_parked_and_looked_for():
    links = make_links(rights(), None, ["https://nothing.to/a", "https://nothing.to/b"])

    first = services.build_notices()

    notice = Notice.objects.get()
    assert (notice.status, notice.channel, notice.hold_code) == (NoticeStatus.DRAFT, "none", "no_contact")
    assert notice.hold_params == {"recipient": "nothing.to", "domain": "nothing.to"}
    assert sorted(first.parked) == sorted(link.pk for link in links)
    assert set(ParkedLink.objects.values_list("link_id", flat=True)) == {link.pk for link in links}
    assert DomainDiscovery.objects.filter(registrable_domain="nothing.to").exists()  # discovery asked
    assert list(services.due_link_chunks()) == []  # parked: a sweep no longer reads them
    assert "No contact is known yet for nothing.to" in notice.hold_reason
    with translation.override("fr"):
        assert "nothing.to" in routing.hold_text(notice.hold_code, notice.hold_params)
        assert "No contact" not in routing.hold_text(notice.hold_code, notice.hold_params)


def test_a_contact_given_by_staff_releases_every_notice_held_for_that_site(django_capture_on_commit_callbacks):
    r = rights()
    make_links(r, None, ["https://nothing.to/a", "https://nothing.to/b"])
    make_links(r, None, ["https://other.to/a"])
    services.build_notices()
    held = Notice.objects.get(recipient_domain="nothing.to")

    with django_capture_on_commit_callbacks(execute=True):
        save_override(ContactOverride(registrable_domain="nothing.to", address="owner@nothing.to"), None)

    held.refresh_from_db()
    assert held.status == NoticeStatus.DISCARDED and held.discard_reason == "released: staff"
    assert not ParkedLink.objects.filter(notice=held).exists()
    assert ParkedLink.objects.filter(recipient_domain="other.to").count() == 1  # the other site still waits
    services.build_notices()
    notice = by_key()["d:nothing.to"]
    assert (notice.status, notice.recipient_email, notice.items.count()) == (NoticeStatus.QUEUED, "owner@nothing.to", 2)
    link = notice.items.first().link
    assert link.events.filter(data__released="staff").exists()


def test_a_contact_found_by_discovery_wakes_the_parked_links_but_a_registrar_alone_does_not():
    make_links(rights(), None, ["https://nothing.to/a"])
    services.build_notices()
    found("nothing.to", "registrar", "email", "abuse@registrar.example", "rdap_domain")
    assert services.release_held(["nothing.to"]) == 0  # the registrar is for escalation only
    found("nothing.to", "hosting", "email", "abuse@hostco.example", "rdap_ip")

    contacts_changed.send(sender=Finding, domains=["nothing.to"], why="discovery")

    assert ParkedLink.objects.count() == 0
    services.build_notices()
    assert by_key()["h:nothing.to"].recipient_email == "abuse@hostco.example"


def test_search_engines_get_the_delisting_notices_through_the_registry():
    google = make_platform("Google", "search_engine", ["google.com"], notice_channel="bulk_file", jurisdiction="US")
    make_links(rights(), None, ["https://nothing.to/a"], action="delist", recipients=[google])
    services.build_notices()
    assert [(n.recipient_key, n.channel, n.route["role"]) for n in Notice.objects.all()] == [
        (f"p:{google.pk}", "bulk_file", "search_engine")
    ]


def test_the_back_office_shows_the_hold_in_the_readers_language(admin_client):
    make_links(rights(), None, ["https://nothing.to/a"])
    services.build_notices()
    notice = Notice.objects.get()
    url = f"/admin/notices/notice/{notice.pk}/change/"
    assert "No contact is known yet for nothing.to" in admin_client.get(url).content.decode()
    admin_client.cookies["django_language"] = "fr"
    page = admin_client.get(url).content.decode()
    assert "Aucun contact n&#x27;est encore connu pour nothing.to" in page


def test_an_escalation_to_the_registrar_goes_to_staffs_registrar_contact_first_else_discoverys():
    found("warez-links.to", "registrar", "email", "abuse@registrar.example", "rdap_domain", registrar="Registrar SAS")
    found("warez-links.to", "site", "email", "dmca@warez-links.to", "security_txt")  # not for escalation
    found("nobody.to", "hosting", "email", "abuse@hostco.example", "rdap_ip")  # no registrar: nothing at level 3
    r = rights()
    to_registrar = make_links(r, None, ["https://warez-links.to/t/1"], status="escalated", level=3)
    unroutable = make_links(r, None, ["https://nobody.to/t/1"], status="escalated", level=3)

    result = services.build_notices()

    assert result.unroutable == [unroutable[0].pk]
    notice = by_key()["r:warez-links.to"]
    assert (notice.recipient_name, notice.channel, notice.recipient_email) == (
        "Registrar SAS",
        "email",
        "abuse@registrar.example",
    )
    assert notice.route["role"] == "registrar" and notice.escalation_level == 3
    assert list(notice.items.values_list("link_id", flat=True)) == [to_registrar[0].pk]

    # Staff's registrar contact (a web form here) wins over discovery's: a hand delivery.
    ContactOverride.objects.create(
        registrable_domain="warez-links.to",
        role="registrar",
        kind="web_form",
        address="https://registrar.example/abuse",
    )
    route = routing.registrar_of("warez-links.to")
    assert route is not None
    assert (route.channel, route.endpoint, route.source) == ("web_form", "https://registrar.example/abuse", "staff")
    assert routing.registrar_of("nobody.to") is None
