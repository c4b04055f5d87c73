"""The damage model (docs/damages.md)."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from sentinelle.investigations import damages
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.services import damages as damage_service

# The published case (docs/damages.md, "The EUR 75 million case"): a site with more than 100,000
# visits a day, open about five years; the rest are our plausible inputs, stated here.
CASE = {
    "visits_per_day": 100_000,
    "period_days": 1826,  # five years
    "music_share": "0.5",  # half the visits take a work
    "items_per_visit": 4,
    "repertoire_share": 1,  # the case counted every rights holder's works
    "unit_value_eur": "1.00",  # one lawful download or its streaming equivalent
    "substitution_low": "0.15",
    "substitution_central": "0.2",
    "substitution_high": "0.3",
}


def test_the_model_reproduces_the_order_of_magnitude_of_the_75_million_case():
    result = damages.estimate(CASE)
    assert result.central == Decimal("73040000.00")
    assert round(math.log10(result.central)) == round(math.log10(75_000_000))
    assert result.low < result.central < result.high


def test_the_arithmetic_is_shown_step_by_step():
    lines = damages.estimate(CASE).arithmetic
    assert lines[0] == "units taken = 100,000 x 1,826 x 0.5 x 4 x 1 = 365,200,000"
    assert lines[2] == "central = 365,200,000 x 0.2 x EUR 1 = EUR 73,040,000.00"


def test_a_share_above_one_is_refused_by_name():
    with pytest.raises(damages.DamageInputError) as error:
        damages.estimate({**CASE, "music_share": "1.5"})
    assert error.value.name == "music_share"


def test_substitution_rates_must_be_ordered():
    with pytest.raises(damages.DamageInputError, match="low <= central <= high"):
        damages.estimate({**CASE, "substitution_low": "0.5"})


def _with_sources(values):  # type: ignore[no-untyped-def]
    return {name: {"value": value, "source": f"source of {name}"} for name, value in values.items()}


@pytest.mark.django_db
def test_an_input_without_a_source_is_refused(dossier, investigator):
    inputs = _with_sources(CASE)
    inputs["visits_per_day"]["source"] = " "
    with pytest.raises(InvestigationError, match="source of visits per day"):
        damage_service.assess(dossier, inputs, actor=investigator)


@pytest.mark.django_db
def test_estimate_damage_records_and_prints_the_figures_and_inputs(dossier, investigator, tmp_path):
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps(_with_sources(CASE)))
    out = io.StringIO()
    call_command("estimate_damage", str(dossier.pk), "--inputs", str(path), "--as", investigator.email, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["low\tEUR 54780000.00", "central\tEUR 73040000.00", "high\tEUR 109560000.00"]
    assert "input\tvisits_per_day\t100000\tsource of visits_per_day" in lines


@pytest.mark.django_db
def test_estimate_damage_says_when_there_is_no_estimate(dossier):
    with pytest.raises(CommandError, match="no damage estimate yet"):
        call_command("estimate_damage", str(dossier.pk))
