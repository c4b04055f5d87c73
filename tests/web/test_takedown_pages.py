import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sentinelle.takedowns import services
from sentinelle.takedowns.models import ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, registry_platforms):
    interest = InterestFactory(work__title="Ma chanson")
    client.force_login(interest.member.user)
    client.member, client.work = interest.member, interest.work
    return client


def test_catalogue_offers_report_links_with_open_counts(member_client):
    services.submit_links(
        member_client.member,
        member_client.work.pk,
        "https://pirate.example.org/a\nhttps://pirate.example.org/b",
        ["remove", "delist"],
    )
    page = member_client.get(reverse("catalogue:my-works")).content.decode()
    assert reverse("takedowns:report", args=[member_client.work.pk]) in page
    assert '<td class="open-links" data-label="Open links">2</td>' in page


def test_report_page_shows_a_verdict_per_line(member_client):
    url = reverse("takedowns:report", args=[member_client.work.pk])
    assert member_client.get(url).status_code == 200
    response = member_client.post(
        url,
        {
            "links": "https://mega.nz/file/X1#k\nhttps://youtu.be/abc\nnonsense here",
            "action": "remove",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="verdict accepted"') == 1
    assert body.count('class="verdict refused"') == 2
    assert "YouTube" in body
    assert ReportedLink.objects.filter(status="accepted").count() == 1


def test_report_page_explains_a_refused_submission(member_client):
    url = reverse("takedowns:report", args=[member_client.work.pk])
    response = member_client.post(url, {"links": "x" * 1_100_000, "action": "both"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ReportedLink.objects.exists()


def test_report_page_requires_a_choice_of_action(member_client):
    url = reverse("takedowns:report", args=[member_client.work.pk])
    response = member_client.post(url, {"links": "https://a.example.org/", "action": "explode"})
    assert response.status_code == 400
    assert not ReportedLink.objects.exists()


def test_report_page_is_csrf_protected(registry_platforms):
    from django.test import Client

    interest = InterestFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(interest.member.user)
    response = client.post(
        reverse("takedowns:report", args=[interest.work.pk]), {"links": "https://a.example.org/", "action": "remove"}
    )
    assert response.status_code == 403
    assert not ReportedLink.objects.exists()


def test_history_filters_and_link_timeline(member_client):
    member, work = member_client.member, member_client.work
    other_work = InterestFactory(member=member, work__title="Autre").work
    services.submit_links(member, work.pk, "https://mega.nz/file/H1#k\nhttps://pirate.example.org/z", ["remove"])
    services.submit_links(member, other_work.pk, "https://1fichier.com/?qq11", ["remove"])
    history = reverse("takedowns:history")
    assert member_client.get(history).context["page"].count == 3
    assert member_client.get(history, {"work": other_work.pk}).context["page"].count == 1
    today = timezone.localdate().isoformat()
    assert member_client.get(history, {"date_from": today, "date_to": today}).context["page"].count == 3
    assert member_client.get(history, {"platform": "mega"}).context["page"].count == 1
    assert member_client.get(history, {"platform": "pirate.example.org"}).context["page"].count == 1
    assert member_client.get(history, {"status": "removed"}).context["page"].count == 0
    assert member_client.get(history, {"date_from": "2999-01-01"}).context["page"].count == 0
    # Bad filter input is ignored rather than an error.
    assert member_client.get(history, {"work": "abc", "date_from": "yesterday"}).status_code == 200
    link = ReportedLink.objects.get(platform__name="MEGA")
    page = member_client.get(reverse("takedowns:link", args=[link.pk])).content.decode()
    assert "timeline" in page and page.count('class="event ') == 2


def test_member_b_gets_404_for_member_a_work_link_and_timeline(member_client, client):
    services.submit_links(member_client.member, member_client.work.pk, "https://pirate.example.org/q", ["remove"])
    link = ReportedLink.objects.get()
    from django.test import Client

    other = Client()
    other.force_login(InterestFactory().member.user)
    assert other.get(reverse("takedowns:report", args=[member_client.work.pk])).status_code == 404
    assert (
        other.post(
            reverse("takedowns:report", args=[member_client.work.pk]),
            {"links": "https://b.example.org/", "action": "remove"},
        ).status_code
        == 404
    )
    assert other.get(reverse("takedowns:link", args=[link.pk])).status_code == 404
    assert other.get(reverse("takedowns:history")).context["page"].count == 0
    assert b"pirate.example.org" not in b"".join(other.get(reverse("takedowns:history-csv")).streaming_content)
    assert ReportedLink.objects.count() == 1


def test_csv_export_neutralises_formulas(member_client):
    member, work = member_client.member, member_client.work
    work.title = '=HYPERLINK("http://evil")'
    work.save()
    services.submit_links(member, work.pk, "https://pirate.example.org/csv", ["remove"])
    response = member_client.get(reverse("takedowns:history-csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Link id", "Reported on", "Work"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][7] == "https://pirate.example.org/csv"


def test_pages_escape_what_members_paste(member_client):
    url = reverse("takedowns:report", args=[member_client.work.pk])
    body = member_client.post(url, {"links": "<script>alert(1)</script>", "action": "remove"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
