"""Sites to look at (the ranking and its charts), dossiers of domains, mirror suggestions."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from sentinelle.investigations import selectors
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import MirrorReason, SiteDomain, SuggestionStatus
from sentinelle.investigations.services import dossiers, evidence
from sentinelle.notices.models import Notice, NoticeItem
from sentinelle.takedowns.models import LinkEvent, LinkStatus, ReportedLink, TakedownRequest
from tests.factories import InterestFactory
from tests.investigations import fixture_site

_n = itertools.count(1)


def link(domain: str, interest, status: str = LinkStatus.ACCEPTED, *, days_ago: int = 1) -> ReportedLink:  # type: ignore[no-untyped-def]
    request = TakedownRequest.objects.create(member=interest.member, work=interest.work, actions=["remove"])
    n = next(_n)
    row = ReportedLink.objects.create(
        request=request,
        member=interest.member,
        work=interest.work,
        action="remove",
        status=status,
        submitted_url=f"https://{domain}/f/{n}",
        url=f"https://{domain}/f/{n}",
        identity_key=f"{domain}/f/{n}",
        host=domain,
        registrable_domain=domain,
    )
    ReportedLink.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return row


def notify(row: ReportedLink, *, removed_after_days: float | None = None) -> None:
    n = next(_n)
    sent = timezone.now() - dt.timedelta(days=10)
    notice = Notice.objects.create(
        recipient_key=f"r{n}",
        recipient_name="Host",
        channel="email",
        action="remove",
        regime="eu",
        language="fr",
        status="delivered",
        dated=sent.date(),
        subject="s",
        body="b",
        message_id=f"<{n}@t>",
        idempotency_key=f"k{n}",
        sent_at=sent,
    )
    NoticeItem.objects.create(
        notice=notice,
        link=row,
        escalation_level=0,
        recipient_key=f"r{n}",
        url=row.url,
        site=row.registrable_domain,
        work_title="w",
    )
    LinkEvent.objects.create(link=row, at=sent, kind="notice_sent", to_status=LinkStatus.NOTICE_SENT)
    if removed_after_days is not None:
        LinkEvent.objects.create(
            link=row, at=sent + dt.timedelta(days=removed_after_days), kind="check", to_status=LinkStatus.REMOVED
        )
        ReportedLink.objects.filter(pk=row.pk).update(status=LinkStatus.REMOVED)
    else:
        ReportedLink.objects.filter(pk=row.pk).update(status=LinkStatus.STILL_ONLINE)


@pytest.mark.django_db
def test_sites_are_ranked_by_reported_links_with_works_members_notices_and_outcome():
    a, b = InterestFactory(), InterestFactory()
    rows = [link("big.to", a), link("big.to", a), link("big.to", b), link("small.cc", a)]
    link("big.to", a, LinkStatus.REFUSED)  # refused at intake: not counted
    notify(rows[0], removed_after_days=2)
    notify(rows[1], removed_after_days=4)
    notify(rows[2])
    ranking = selectors.site_ranking(selectors.RankingFilter(period="all"))
    big = ranking[0]
    assert [r.domain for r in ranking] == ["big.to", "small.cc"]
    assert (big.links, big.works, big.members, big.notices) == (3, 2, 2, 3)
    assert big.actioned_share == pytest.approx(2 / 3)
    assert big.median_days_to_removal == pytest.approx(3)


@pytest.mark.django_db
def test_the_period_filter_leaves_older_links_out():
    a = InterestFactory()
    link("old.to", a, days_ago=200)
    link("new.to", a, days_ago=2)
    assert [r.domain for r in selectors.site_ranking(selectors.RankingFilter(period="90"))] == ["new.to"]


@pytest.mark.django_db
def test_the_sites_page_draws_the_ranking_and_offers_a_dossier(client, investigator):
    a = InterestFactory()
    link("big.to", a)
    client.force_login(investigator)
    page = client.get(reverse("investigations:sites"), {"period": "all"}).content.decode()
    assert '<svg class="chart-svg"' in page and "<title id=" in page
    assert '<th scope="row">big.to</th>' in page
    response = client.post(reverse("investigations:open"), {"domains": "big.to"})
    site = SiteDomain.objects.get(domain="big.to").site
    assert response["Location"] == reverse("investigations:dossier", args=[site.pk])


@pytest.mark.django_db
def test_a_dossier_groups_mirrors_and_refuses_a_domain_of_another_dossier(investigator):
    site = dossiers.open_dossier(["https://www.example.to/x", "example.cc"], actor=investigator)
    assert selectors.dossier_domains(site) == ["example.to", "example.cc"]
    assert dossiers.open_dossier(["example.cc"], actor=investigator) == site
    other = dossiers.open_dossier(["other.to"], actor=investigator)
    with pytest.raises(InvestigationError, match="already in dossier"):
        dossiers.add_domain(other, "example.to", relation="mirror", actor=investigator)


@pytest.mark.django_db
def test_the_dossier_page_lists_links_and_says_discovery_knows_nothing_yet(client, investigator):
    a = InterestFactory()
    link("example.to", a)
    site = dossiers.open_dossier(["example.to"], actor=investigator)
    client.force_login(investigator)
    page = client.get(reverse("investigations:dossier", args=[site.pk])).content.decode()
    assert "https://example.to/f/" in page
    assert "Nothing known yet: recipient discovery has not run on these domains (it is asked to)." in page


@pytest.mark.django_db
def test_captures_suggest_the_mirror_for_every_shared_trait(captured, dossier):
    found = {(s.domain, s.reason) for s in dossier.suggestions.all()}
    assert found == {
        (fixture_site.MIRROR, MirrorReason.SAME_ADDRESS),
        (fixture_site.MIRROR, MirrorReason.SAME_TITLE),
        (fixture_site.MIRROR, MirrorReason.SAME_FAVICON),
        (fixture_site.MIRROR, MirrorReason.REDIRECT),
    }


@pytest.mark.django_db
def test_a_capture_in_another_dossier_is_suggested_too(capture_env, dossier, investigator):
    mirror = dossiers.open_dossier([fixture_site.MIRROR], actor=investigator)
    for site, url in ((dossier, capture_env.url("/")), (mirror, capture_env.url("/album/3", fixture_site.MIRROR))):
        evidence.run_capture(evidence.request_captures(site, [url], actor=investigator)[0].pk)
    assert {s.reason for s in dossier.suggestions.all()} >= {MirrorReason.SAME_TITLE, MirrorReason.SAME_FAVICON}
    assert {s.domain for s in mirror.suggestions.all()} == {fixture_site.ORIGINAL}


@pytest.mark.django_db
def test_accepting_a_suggestion_adds_the_mirror(client, captured, dossier, investigator):
    suggestion = dossier.suggestions.first()
    client.force_login(investigator)
    client.post(reverse("investigations:suggestion", args=[dossier.pk, suggestion.pk]), {"decision": "accept"})
    assert fixture_site.MIRROR in selectors.dossier_domains(dossier)
    assert set(dossier.suggestions.values_list("status", flat=True)) == {SuggestionStatus.ACCEPTED}


@pytest.mark.django_db
def test_a_rejected_suggestion_does_not_come_back(captured, dossier, investigator):
    dossiers.decide_suggestion(dossier.suggestions.first(), accept=False, actor=investigator)
    dossiers.refresh_mirror_suggestions(dossier)
    assert set(dossier.suggestions.values_list("status", flat=True)) == {SuggestionStatus.REJECTED}
    assert fixture_site.MIRROR not in selectors.dossier_domains(dossier)


@pytest.mark.django_db
def test_open_dossier_prints_the_dossier_id(investigator):
    out = io.StringIO()
    call_command("open_dossier", "example.to", "example.cc", stdout=out)
    site = SiteDomain.objects.get(domain="example.cc").site
    assert out.getvalue().strip() == str(site.pk)
    assert site.opened_by == investigator  # the only investigator account


@pytest.mark.django_db
def test_commands_refuse_a_member_as_the_acting_account(member_user):
    with pytest.raises(CommandError, match="not an investigator"):
        call_command("open_dossier", "example.to", "--as", member_user.email)


@pytest.mark.django_db
def test_capture_export_and_verify_commands_chain(capture_env, dossier, investigator, tmp_path):
    out = io.StringIO()
    call_command("capture_evidence", "--dossier", str(dossier.pk), capture_env.url("/"), "--no-screenshot", stdout=out)
    evidence_id, status, *_rest = out.getvalue().split("\t")
    assert status == "done"
    target = tmp_path / "out.zip"
    call_command("export_dossier", str(dossier.pk), str(target), stdout=io.StringIO())
    verified = io.StringIO()
    call_command("verify_dossier", str(target), stdout=verified)
    assert verified.getvalue().strip().endswith(": intact")
    assert f"evidence/{evidence_id}/capture.json" in __import__("zipfile").ZipFile(target).namelist()


def _hosting_finding(domain: str, network) -> None:  # type: ignore[no-untyped-def]
    from sentinelle.recipients.models import Finding

    now = timezone.now()
    Finding.objects.create(
        registrable_domain=domain,
        role="hosting",
        kind="email",
        address="abuse@host.example",
        source="rdap_ip",
        source_url="https://rdap.example/ip/192.0.2.10",
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
        network=network,
    )


def _network():  # type: ignore[no-untyped-def]
    from sentinelle.recipients.models import NetworkLookup

    now = timezone.now()
    return NetworkLookup.objects.create(
        ip_version=4,
        start_key="c0000200",
        end_key="c00002ff",
        start="192.0.2.0",
        end="192.0.2.255",
        answered=True,
        handle="NET-192-0-2",
        name="BULLETPROOF-NET",
        organisation="Bulletproof Hosting Ltd",
        fetched_at=now,
        expires_at=now + dt.timedelta(days=30),
    )


@pytest.mark.django_db
def test_opening_a_dossier_asks_recipient_discovery_to_look_at_its_domains(investigator):
    from sentinelle.recipients.models import DomainDiscovery

    dossiers.open_dossier(["example.to"], actor=investigator)
    assert DomainDiscovery.objects.filter(registrable_domain="example.to").exists()


@pytest.mark.django_db
def test_the_discovery_panel_shows_the_hosting_network_found(client, investigator):
    from sentinelle.recipients.models import DomainDiscovery

    site = dossiers.open_dossier(["example.to"], actor=investigator)
    _hosting_finding("example.to", _network())
    DomainDiscovery.objects.filter(registrable_domain="example.to").update(last_run_at=timezone.now(), state="done")
    panel = selectors.recipient_discovery(site)
    assert panel.known
    assert "abuse@host.example — Bulletproof Hosting Ltd (NET-192-0-2, 192.0.2.0 - 192.0.2.255)" in [
        f["value"] for f in panel.findings
    ]
    client.force_login(investigator)
    assert "Bulletproof Hosting Ltd" in client.get(reverse("investigations:dossier", args=[site.pk])).content.decode()


@pytest.mark.django_db
def test_domains_on_the_same_hosting_network_are_suggested(client, investigator):
    site = dossiers.open_dossier(["example.to"], actor=investigator)
    network = _network()
    _hosting_finding("example.to", network)
    _hosting_finding("example-mirror.cc", network)
    client.force_login(investigator)
    client.get(reverse("investigations:dossier", args=[site.pk]))
    suggestion = site.suggestions.get()
    assert (suggestion.domain, suggestion.reason, suggestion.detail) == (
        "example-mirror.cc",
        MirrorReason.SAME_NETWORK,
        "NET-192-0-2 BULLETPROOF-NET",
    )
