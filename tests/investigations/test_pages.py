"""The investigators' pages: capture queueing and progress, damages, export, home page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from sentinelle.investigations import dossierzip
from sentinelle.investigations.models import CaptureStatus, DamageAssessment, Evidence
from tests.investigations.test_damages import CASE


@pytest.mark.django_db
def test_capturing_from_the_page_queues_a_task_per_address(
    client, dossier, investigator, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    client.force_login(investigator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("investigations:capture", args=[dossier.pk]), {"urls": "http://pirate.test/a\nhttp://pirate.test/b"}
        )
    assert list(Evidence.objects.filter(site=dossier).values_list("status", flat=True)) == [CaptureStatus.QUEUED] * 2
    assert DBTaskResult.objects.filter(task_path="sentinelle.investigations.tasks.capture_evidence").count() == 2
    page = client.get(reverse("investigations:dossier", args=[dossier.pk])).content.decode()
    assert 'data-refresh-seconds="5"' in page and "http-equiv" not in page
    assert page.count("queued") >= 2


@pytest.mark.django_db
def test_an_address_that_cannot_be_fetched_is_refused_with_its_reason(client, dossier, investigator):
    client.force_login(investigator)
    response = client.post(
        reverse("investigations:capture", args=[dossier.pk]), {"urls": "ftp://pirate.test/a"}, follow=True
    )
    assert "cannot be captured: unsupported scheme" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_the_damage_form_records_an_estimate_with_its_sources(client, dossier, investigator):
    client.force_login(investigator)
    data = {**CASE}
    data.update({f"{name}_source": f"source {name}" for name in CASE})
    response = client.post(reverse("investigations:damages", args=[dossier.pk]), data)
    assert response.status_code == 302
    assessment = DamageAssessment.objects.get(site=dossier)
    assert str(assessment.central_eur) == "73040000.00"
    assert assessment.inputs["music_share"]["source"] == "source music_share"
    page = client.get(reverse("investigations:damages", args=[dossier.pk])).content.decode()
    assert "central = 365,200,000 x 0.2 x EUR 1 = EUR 73,040,000.00" in page


@pytest.mark.django_db
def test_the_damage_form_offers_the_cited_substitution_rates(client, dossier, investigator):
    client.force_login(investigator)
    page = client.get(reverse("investigations:damages", args=[dossier.pk])).content.decode()
    assert "Waldfogel (2010)" in page and "Rob &amp; Waldfogel (2006)" in page


@pytest.mark.django_db
def test_the_export_button_downloads_a_zip_that_verifies(client, captured, dossier, investigator, tmp_path):
    client.force_login(investigator)
    response = client.post(
        reverse("investigations:export", args=[dossier.pk]), {"reason": "for the investigating judge"}
    )
    assert response["Content-Type"] == "application/zip"
    path = tmp_path / "web.zip"
    path.write_bytes(b"".join(response.streaming_content))
    assert dossierzip.verify_zip(path).intact
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(path.read_bytes())).namelist()


@pytest.mark.django_db
def test_an_investigator_lands_on_the_sites_to_look_at(client, investigator):
    client.force_login(investigator)
    assert client.get("/")["Location"] == reverse("investigations:sites")


@pytest.mark.django_db
def test_a_member_still_lands_on_their_dashboard_and_sees_no_investigations_link(client, member_user):
    client.force_login(member_user)
    assert client.get("/")["Location"] == reverse("stats:member")
    assert reverse("investigations:sites") not in client.get(reverse("catalogue:my-works")).content.decode()
