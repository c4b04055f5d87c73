"""The pure readers: security.txt, mailto:, pages, RDAP answers, bootstrap, CDN ranges."""

from __future__ import annotations

import pytest

from sentinelle.recipients import cdn, contacts, pages, rdap, securitytxt
from tests.recipients.world import arin_network, domain_answer, ripe_network, security_txt


def test_a_signed_security_txt_is_read_inside_its_signature_block():
    parsed = securitytxt.parse(security_txt("mailto:sec@x.to", "https://x.to/form", signed=True).decode())
    assert parsed.signed
    assert [(c.kind, c.address) for c in parsed.contacts] == [("email", "sec@x.to"), ("web_form", "https://x.to/form")]
    assert parsed.expires is not None and parsed.expires.year == 2099


def test_security_txt_refuses_plain_http_and_keeps_the_earliest_expiry():
    text = (
        "Contact: http://x.to/form\nContact: tel:+1-555\nExpires: 2099-01-01T00:00:00Z\nExpires: 2098-01-01T00:00:00Z\n"
    )
    parsed = securitytxt.parse(text)
    assert parsed.contacts == []
    assert [code for code, _ in parsed.refused] == ["insecure_url", "unsupported_contact"]
    assert parsed.expires is not None and parsed.expires.year == 2098


@pytest.mark.parametrize(
    ("href", "expected"),
    [("mailto:DMCA@Example.TO?subject=Notice", "DMCA@example.to"), ("MAILTO:a%2Bb@x.to", "a+b@x.to")],
)
def test_a_plain_mailto_gives_its_address(href, expected):
    assert contacts.parse_mailto(href) == expected


@pytest.mark.parametrize("href", ["mailto:", "mailto:not-an-address", "mailto:a@b", "mailto:a@x.to%0Abcc:b@y.to"])
def test_a_bad_mailto_is_refused(href):
    with pytest.raises(contacts.Refused):
        contacts.parse_mailto(href)


def test_home_page_links_are_ranked_and_kept_on_the_same_site():
    home = (
        "<a href='/contact'>Contact</a><a href='https://other.example/dmca'>DMCA</a>"
        "<a href='/p/1'>Mentions l&eacute;gales</a><a href='//cdn.x.to/dmca-policy'>policy</a>"
    )
    links, _ = pages.contact_links(home, "https://x.to/", "x.to", 6)
    assert [(link.url, link.keyword) for link in links] == [
        ("https://cdn.x.to/dmca-policy", "dmca"),
        ("https://x.to/p/1", "legal"),
        ("https://x.to/contact", "contact"),
    ]


def test_the_abuse_entity_is_found_nested_as_arin_nests_it():
    data = arin_network("198.51.100.0", "198.51.100.63", "Host", "abuse@host.example", "NET-1")
    assert rdap.abuse_contact(data).email == "abuse@host.example"
    assert rdap.registrant_name(data) == "Host"


def test_the_preferred_abuse_email_wins_as_ripe_orders_them():
    data = ripe_network("192.0.2.0", "192.0.2.255", "Org", "first@host.example", "NET")
    assert rdap.abuse_contact(data).email == "first@host.example"


def test_the_registrar_and_its_abuse_email_come_from_the_domain_answer():
    found = rdap.registrar(domain_answer("x.to", "Reg Inc", "1234", "abuse@reg.example"))
    assert (found.name, found.iana_id, found.email) == ("Reg Inc", "1234", "abuse@reg.example")


def test_bootstrap_takes_the_most_specific_range_and_https_only():
    entries = {
        "services": [
            [["10.0.0.0/8"], ["https://wide.example/"]],
            [["10.1.0.0/16"], ["http://a/", "https://narrow.example"]],
        ]
    }
    networks = [(k, v) for k, v in rdap.parse_bootstrap("ipv4", entries).items()]
    assert ("10.1.0.0/16", ["https://narrow.example/"]) in networks
    with pytest.raises(ValueError):
        rdap.parse_bootstrap("ipv4", {"services": [[["banana"], ["https://x/"]]]})


def test_the_shipped_cdn_ranges_know_cloudflare():
    ranges = cdn.load_ranges(cdn.SHIPPED_FILE)
    found = ranges.match("104.16.1.1")
    assert found is not None and found.name == "Cloudflare" and found.abuse_form.startswith("https://")
    assert ranges.match("2606:4700::1") is found
    assert ranges.match("8.8.8.8") is None
