"""The staff's work queue (issue 12, part 4) and the coverage report (part 5)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sentinelle.catalogue.models import Work
from sentinelle.desk import selectors
from sentinelle.notices import services
from sentinelle.notices.models import DeliveryAttempt, Notice, NoticeStatus, ParkedLink
from sentinelle.notices.services.bounces import record_bounce
from sentinelle.recipients.models import ContactOverride, Finding
from sentinelle.takedowns.models import LinkStatus
from tests.factories import MemberFactory, UserFactory, make_platform
from tests.notices.helpers import SOCIETY, email_platform, make_links, rights

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _society(settings):
    settings.SENTINELLE_SOCIETY = dict(SOCIETY)
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_notice"))
    client.force_login(user)
    client.user = user
    return client


def cdn_finding(domain: str) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        registrable_domain=domain,
        role="cdn",
        kind="web_form",
        address="https://abuse.cdn.example/",
        source="cdn_ranges",
        detail={"cdn": "ExampleCDN"},
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
    )


def test_only_staff_see_the_queue_and_a_member_gets_a_404(client):
    member = MemberFactory()
    client.force_login(member.user)
    assert client.get(reverse("desk:queue")).status_code == 404
    assert client.post(reverse("desk:contact"), {"domain": "x.to"}).status_code == 404
    client.logout()
    assert client.get(reverse("desk:queue")).status_code == 302  # to the login page


def test_the_landing_page_counts_and_a_contact_releases_every_notice_held_for_the_site(staff):
    r = rights()
    make_links(r, None, [f"https://nothing.to/{i}" for i in range(3)])
    make_links(rights("Autre"), None, ["https://nothing.to/x"])
    make_links(r, None, ["https://elsewhere.to/1"])
    services.build_notices()
    assert selectors.counts()["held_no_contact"] == 2 and selectors.counts()["parked_links"] == 5

    page = staff.get(reverse("desk:queue")).content.decode()
    assert 'data-count="held_no_contact">2<' in page and 'data-domain="nothing.to"' in page
    assert "No contact is known yet for nothing.to" in page

    response = staff.post(
        reverse("desk:contact"),
        {"domain": "nothing.to", "role": "site", "kind": "email", "address": "dmca@nothing.to"},
        follow=True,
    )
    assert "Contact saved for nothing.to: 1 held notice(s) released" in response.content.decode()
    override = ContactOverride.objects.get()
    assert (override.registrable_domain, override.address, override.created_by) == (
        "nothing.to",
        "dmca@nothing.to",
        staff.user,
    )
    assert ParkedLink.objects.filter(recipient_domain="nothing.to").count() == 0
    assert ParkedLink.objects.filter(recipient_domain="elsewhere.to").count() == 1
    services.build_notices()
    notice = Notice.objects.get(recipient_key="d:nothing.to", status=NoticeStatus.QUEUED)
    assert notice.items.count() == 4 and notice.route["source"] == "staff"


def test_a_bad_contact_is_refused_with_its_reason_and_releases_nothing(staff):
    make_links(rights(), None, ["https://nothing.to/1"])
    services.build_notices()
    response = staff.post(
        reverse("desk:contact"),
        {"domain": "nothing.to", "role": "site", "kind": "email", "address": "a@b.example\nBcc: x@y.example"},
        follow=True,
    )
    assert "The contact was not saved" in response.content.decode()
    assert not ContactOverride.objects.exists() and ParkedLink.objects.count() == 1


def test_a_hand_delivery_shows_its_text_and_form_and_mark_as_sent_records_who_and_when(staff):
    cdn_finding("hidden.to")
    make_links(rights(), None, ["https://hidden.to/a"])
    services.build_notices()
    notice = Notice.objects.get(channel="web_form")
    page = staff.get(reverse("desk:queue")).content.decode()
    assert 'href="https://abuse.cdn.example/"' in page and "forward this notice" in page
    assert 'data-count="hand_deliveries">1<' in page

    staff.post(reverse("desk:mark-sent", args=[notice.pk]), {"note": "form ticket 123"})

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and notice.sent_at is not None
    attempt = DeliveryAttempt.objects.get(notice=notice)
    assert attempt.actor == staff.user and attempt.response_excerpt == "form ticket 123"
    assert notice.items.get().link.status == LinkStatus.NOTICE_SENT
    again = staff.post(reverse("desk:mark-sent", args=[notice.pk]), follow=True).content.decode()
    assert "is not waiting for a hand delivery" in again


def test_bulk_files_are_downloaded_per_search_engine(staff):
    google = make_platform("Google", "search_engine", ["google.com"], notice_channel="bulk_file", jurisdiction="US")
    r = rights()
    Work.objects.filter(pk=r.work.pk).update(authorised_example_url="https://licensed.example/w")
    make_links(r, None, ["https://pirate.to/a", "https://pirate.to/b"], action="delist", recipients=[google])
    services.build_notices()
    page = staff.get(reverse("desk:queue")).content.decode()
    assert reverse("desk:bulk", args=[google.pk]) in page
    response = staff.get(reverse("desk:bulk", args=[google.pk]))
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 and names[0].startswith("notice-")
    assert "https://pirate.to/a" in zipfile.ZipFile(io.BytesIO(response.content)).read(names[0]).decode()
    assert staff.get(reverse("desk:bulk", args=[google.pk + 1000])).status_code == 404


def test_answers_overdue_are_listed_past_their_deadline(staff, settings):
    settings.SENTINELLE_ESCALATION_DEADLINE_HOURS = 72
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, ["https://host.fr/1", "https://host.fr/2"])
    services.build_notices()
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.DELIVERED, sent_at=timezone.now() - dt.timedelta(hours=73)
    )
    assert [row["notice"].pk for row in selectors.answers_overdue()] == [notice.pk]
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - dt.timedelta(hours=71))
    assert selectors.answers_overdue() == []


def test_registry_coverage_counts_the_links_whose_notice_left_and_lists_the_rest(staff):
    host = email_platform("Host", "host.fr")
    quiet = make_platform("Quiet", "file_host", ["quiet.example"], notice_channel="email")
    r = rights()
    make_links(r, host, ["https://host.fr/1", "https://host.fr/2"])
    make_links(r, quiet, [f"https://quiet.example/{i}" for i in range(3)])
    make_links(r, None, ["https://nothing.to/1"])
    make_links(r, None, ["https://refused.to/1"], status=LinkStatus.REFUSED)
    services.build_notices()
    Notice.objects.filter(recipient_platform=host).update(status=NoticeStatus.DELIVERED, sent_at=timezone.now())

    report = selectors.registry_coverage(30)

    assert (report.accepted, report.left) == (6, 2)
    assert [(row.name, row.links, row.channel) for row in report.rows] == [
        ("Quiet", 3, "none"),
        ("nothing.to", 1, "none"),
    ]
    page = staff.get(reverse("desk:coverage")).content.decode()
    assert "2 of 6 accepted links had a notice leave" in page and "Quiet" in page
    out = io.StringIO()
    call_command("registry_coverage", "--days", "30", stdout=out)
    assert "2 of 6 accepted link(s) had a notice leave (33.3%)" in out.getvalue()
    assert "      3  none         Quiet" in out.getvalue()


def test_a_bounced_notice_with_no_other_source_waits_in_the_queue_for_a_contact(staff):
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, ["https://host.fr/1"])
    services.build_notices()
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.DELIVERED, sent_at=timezone.now())
    assert record_bounce(notice.pk, reason="550 5.1.1 user unknown", source="dsn")
    page = staff.get(reverse("desk:queue")).content.decode()
    assert 'data-count="held_no_contact">1<' in page
    assert "The address abuse@host.fr refused the notice (550 5.1.1 user unknown)" in page
    staff.post(
        reverse("desk:contact"), {"domain": "host.fr", "role": "site", "kind": "email", "address": "legal@host.fr"}
    )
    services.build_notices()
    assert Notice.objects.get(status=NoticeStatus.QUEUED).recipient_email == "legal@host.fr"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.BOUNCED and notice.hold_code == ""
