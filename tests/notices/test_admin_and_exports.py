"""Staff pages and the files they download: TCRP bulk file, Lumen JSON."""

from __future__ import annotations

import json

import pytest

from sentinelle.notices import services
from sentinelle.notices.export import bulk_file_text
from sentinelle.notices.models import AttemptOutcome, Notice, NoticeStatus
from sentinelle.takedowns.models import LinkStatus
from tests.factories import UserFactory, make_platform
from tests.notices.helpers import email_platform, make_links, rights
from tests.notices.specs import lumen_errors, parse_google_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def bulk_notice(registry_platforms, example: str = "https://licensed.example/song") -> Notice:
    google = registry_platforms["google"]
    google.notice_channel = "bulk_file"
    google.save()
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    make_links(
        rights("Song\nhttps://injected.example/", authorised_example_url=example),
        site,
        ["https://pirate.example/a", "https://pirate.example/b"],
        action="delist",
        recipients=[google],
    )
    services.build_notices()
    return Notice.objects.get()


def test_google_bulk_file_is_one_block_per_work_and_a_title_cannot_inject_a_url(registry_platforms):
    notice = bulk_notice(registry_platforms)
    (work,) = parse_google_bulk(bulk_file_text(notice))
    assert work.authorised_example == "https://licensed.example/song"
    assert work.infringing == ["https://pirate.example/a", "https://pirate.example/b"]


def test_staff_are_told_which_works_lack_an_authorised_example(registry_platforms, staff_client):
    notice = bulk_notice(registry_platforms, example="")
    url = "/admin/notices/notice/"
    response = staff_client.post(url, {"action": "download_bulk_files", "_selected_action": [notice.pk]}, follow=True)
    assert "authorised example URL" in response.content.decode() and "Content-Disposition" not in response
    page = staff_client.get(f"{url}{notice.pk}/change/")
    assert "No authorised example URL in the catalogue for" in page.content.decode()
    works = staff_client.get("/admin/catalogue/work/?example=missing")
    assert "Song" in works.content.decode()


def test_staff_download_the_bulk_file_then_mark_it_uploaded(registry_platforms, staff_client):
    notice = bulk_notice(registry_platforms)
    assert notice.status == NoticeStatus.QUEUED and notice.channel == "bulk_file"
    assert services.deliver_due()["delivered"] == 0  # staff upload it, no worker does
    url = "/admin/notices/notice/"
    response = staff_client.post(url, {"action": "download_bulk_files", "_selected_action": [notice.pk]})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.txt"')
    assert b"https://pirate.example/a" in response.content
    staff_client.post(url, {"action": "mark_delivered_by_hand", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert notice.attempts.get().outcome == AttemptOutcome.DELIVERED
    assert notice.items.first().link.status == LinkStatus.NOTICE_SENT


def test_lumen_export_is_one_document_a_line_without_date_sent_before_sending(registry_platforms, staff_client):
    notice = bulk_notice(registry_platforms)
    response = staff_client.post(
        "/admin/notices/notice/", {"action": "download_lumen", "_selected_action": [notice.pk]}
    )
    (line,) = response.content.decode().splitlines()
    document = json.loads(line)
    assert lumen_errors(document) == [] and "date_sent" not in document["notice"]
    recipient = next(r for r in document["notice"]["entity_notice_roles_attributes"] if r["name"] == "recipient")
    assert recipient["entity_attributes"]["name"] == "Google" and "google.fr" not in line


def test_notice_list_and_page_show_status_text_links_and_attempts(staff_client):
    make_links(rights(), email_platform("Host", "host.fr"), ["https://host.fr/zz"])
    services.build_notices()
    services.deliver_due()
    notice = Notice.objects.get()
    listing = staff_client.get("/admin/notices/notice/?status__exact=delivered")
    assert listing.status_code == 200 and b"Host" in listing.content
    page = staff_client.get(f"/admin/notices/notice/{notice.pk}/change/")
    assert page.status_code == 200
    assert b"https://host.fr/zz" in page.content and b"2022/2065" in page.content
    assert b"delivered" in page.content.lower()
