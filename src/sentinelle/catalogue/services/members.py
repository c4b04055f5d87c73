"""Members claim their parties: a member's IPI name number links the parties that bear it."""

from __future__ import annotations

from django.db import transaction

from sentinelle.catalogue.models import Interest, Party
from sentinelle.members.models import Member


def link_parties_to_member(member: Member) -> int:
    """Point every party (and its interests) bearing the member's IPI name number at the member.

    Parties that point at the member but no longer bear its number are released.
    Returns the number of parties now linked to the member.
    """
    with transaction.atomic():
        stale = Party.objects.filter(member=member)
        if member.ipi_name_number:
            stale = stale.exclude(ipi_name_number=member.ipi_name_number)
        stale_ids = list(stale.values_list("id", flat=True))
        if stale_ids:
            Party.objects.filter(id__in=stale_ids).update(member=None)
            Interest.objects.filter(party_id__in=stale_ids, member=member).update(member=None)
        if not member.ipi_name_number:
            return 0
        parties = Party.objects.filter(ipi_name_number=member.ipi_name_number)
        parties.update(member=member)
        Interest.objects.filter(party__in=parties).update(member=member)
        return parties.count()
