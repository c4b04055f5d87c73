"""Two works of one title are told apart by their ISWC (or, without one, the society's code)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import InterestFactory, WorkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(client, registry_platforms):
    first = InterestFactory(work=WorkFactory(title="Sous le ciel de Paris", iswc="T0345246801"))
    second = InterestFactory(member=first.member, work=WorkFactory(title="Sous le ciel de Paris", iswc=None))
    client.force_login(first.member.user)
    return first.work, second.work


def test_the_history_filter_names_each_work_with_its_identifier(client, twins):
    with_iswc, without = twins
    page = client.get(reverse("takedowns:history")).content.decode()
    assert f'<option value="{with_iswc.pk}">Sous le ciel de Paris (T-034.524.680-1)</option>' in page
    assert f'<option value="{without.pk}">Sous le ciel de Paris ({without.work_code})</option>' in page


def test_a_work_reads_as_its_title_and_identifier_in_the_back_office_too(twins):
    with_iswc, without = twins
    assert str(with_iswc) == "Sous le ciel de Paris (T-034.524.680-1)"
    assert str(without) == f"Sous le ciel de Paris ({without.work_code})"
