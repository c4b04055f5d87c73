"""Damage assessments: the model's inputs with their sources, the figures, stored as a record."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from sentinelle.investigations import damages
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import DamageAssessment, Site
from sentinelle.members.models import User


def assess(site: Site, inputs: Mapping[str, Mapping[str, object]], *, actor: User) -> DamageAssessment:
    """``inputs``: {name: {"value": number, "source": text}} for every input of ``damages.INPUTS``.

    Every input must say where its value comes from: a figure without a source is refused.
    """
    values: dict[str, object] = {}
    stored: dict[str, dict[str, str]] = {}
    for name in damages.INPUTS:
        item = inputs.get(name) or {}
        source = str(item.get("source") or "").strip()
        if not source:
            raise InvestigationError(
                _("Give the source of %(input)s.") % {"input": name.replace("_", " ")}, code="source_required"
            )
        values[name] = item.get("value")
        stored[name] = {"value": str(item.get("value", "")).strip(), "source": source[:2000]}
    try:
        result = damages.estimate(values)
    except damages.DamageInputError as exc:
        raise InvestigationError(
            _("%(input)s: %(why)s") % {"input": exc.name.replace("_", " "), "why": exc.message}, code="invalid_input"
        ) from None
    return DamageAssessment.objects.create(
        site=site,
        created_by=actor,
        inputs=stored,
        low_eur=result.low,
        central_eur=result.central,
        high_eur=result.high,
    )


def recompute(assessment: DamageAssessment) -> damages.Estimate:
    """The arithmetic of a stored assessment, from its stored inputs."""
    return damages.estimate({name: item["value"] for name, item in assessment.inputs.items()})
