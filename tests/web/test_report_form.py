"""The report form: no action chosen for the member, and a line saying what each choice sends."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sentinelle.takedowns.models import ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_url(client, registry_platforms):
    interest = InterestFactory()
    client.force_login(interest.member.user)
    return reverse("takedowns:report", args=[interest.work.pk])


def test_no_action_is_preselected_and_each_is_explained(client, report_url):
    page = client.get(report_url).content.decode()
    radios = re.findall(r'<input type="radio" name="action"[^>]*>', page)
    assert len(radios) == 3 and not [r for r in radios if "checked" in r]
    assert "asking it to take the page down" in page
    assert "drop the page from its results; the page itself stays online" in page
    assert "counts once in your daily quota" in page


def test_sending_without_a_choice_asks_for_one_and_keeps_the_paste(client, report_url):
    response = client.post(report_url, {"links": "https://pirate.example.org/a"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose what should happen to these links." in page
    assert "https://pirate.example.org/a" in page
    assert not ReportedLink.objects.exists()


def test_the_choice_is_explained_in_french(client, report_url):
    page = client.get(report_url, headers={"accept-language": "fr"}).content.decode()
    assert "reste en ligne" in page
