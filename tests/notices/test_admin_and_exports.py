"""Staff pages and the files they download: TCRP bulk file, Lumen JSON."""

from __future__ import annotations

import json

import pytest

from sentinelle.notices import services
from sentinelle.notices.export import bulk_file_text, lumen_notice
from sentinelle.notices.models import AttemptOutcome, Notice, NoticeStatus
from sentinelle.takedowns.models import LinkStatus
from tests.factories import UserFactory, make_platform
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def bulk_notice(registry_platforms) -> Notice:
    google = registry_platforms["google"]
    google.notice_channel = "bulk_file"
    google.save()
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    make_links(
        rights("Song\nhttps://injected.example/"),
        site,
        ["https://pirate.example/a", "https://pirate.example/b"],
        action="delist",
        recipients=[google],
    )
    services.build_notices()
    return Notice.objects.get()


def test_tcrp_bulk_file_is_description_lines_then_urls(registry_platforms):
    notice = bulk_notice(registry_platforms)
    lines = bulk_file_text(notice).splitlines()
    comments = [line for line in lines if line.startswith("#")]
    urls = [line for line in lines if not line.startswith("#")]
    assert lines[: len(comments)] == comments  # every description line first
    assert urls == ["https://pirate.example/a", "https://pirate.example/b"]  # the title cannot inject a URL


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


def test_lumen_export_has_the_fields_of_lumens_notice_api(registry_platforms):
    notice = bulk_notice(registry_platforms)
    exported = lumen_notice(notice)["notice"]
    assert exported["type"] == "DMCA" and exported["title"]
    (work,) = exported["works_attributes"]
    assert work["description"].startswith("Song")
    assert [u["url"] for u in work["infringing_urls_attributes"]] == [
        "https://pirate.example/a",
        "https://pirate.example/b",
    ]
    assert "copyrighted_urls_attributes" in work
    roles = {r["name"]: r["entity_attributes"]["name"] for r in exported["entity_notice_roles_attributes"]}
    assert set(roles) == {"sender", "principal", "recipient"} and roles["recipient"] == "Google"
    json.dumps(exported)


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
