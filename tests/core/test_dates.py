"""Dates a European reader cannot misread, in both languages, in the society's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from sentinelle.core.dates import display, zone_city

MOMENT = dt.datetime(2026, 12, 1, 9, 46, tzinfo=dt.UTC)  # 10:46 in Paris


@pytest.mark.parametrize(
    ("language", "moment", "day"),
    [("en", "1 Dec 2026 10:46", "1 Dec 2026"), ("fr", "1 déc. 2026 10:46", "1 déc. 2026")],
)
def test_moments_and_days_in_each_language(settings, language, moment, day):
    settings.TIME_ZONE = "Europe/Paris"
    with translation.override(language):
        assert display(MOMENT) == moment
        assert display(MOMENT.date()) == day
        # The templates' named formats say the same.
        rendered = Template('{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"at": MOMENT})
        )
        assert rendered == f"{moment}|{display(MOMENT).rsplit(' ', 1)[0]}"


def test_the_time_is_the_societys(settings):
    settings.TIME_ZONE = "America/Montreal"
    with translation.override("en"):
        assert display(MOMENT) == "1 Dec 2026 04:46"
    assert zone_city() == "Montreal"


def test_the_zone_is_named_by_its_city(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert zone_city() == "Paris"
    settings.TIME_ZONE = "UTC"
    assert zone_city() == "UTC"
