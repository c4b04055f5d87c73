"""The societies a notice may speak for besides the society itself (staff keep the list in the admin)."""

from __future__ import annotations

from sentinelle.catalogue.identifiers import normalise_society_code
from sentinelle.notices.models import ReciprocalSociety


def record_reciprocal_society(code: str, name: str, country: str = "", note: str = "") -> ReciprocalSociety:
    """Record an agreement once (by its CISAC code); an existing row is left as staff edited it."""
    society, _created = ReciprocalSociety.objects.get_or_create(
        code=normalise_society_code(code), defaults={"name": name, "country": country, "note": note}
    )
    return society
