"""A member saved (created, or its IPI name number corrected) claims its parties.

A receiver rather than a call from the members service: catalogue depends on
members, never the reverse.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from sentinelle.catalogue.services import link_parties_to_member
from sentinelle.members.models import Member


@receiver(post_save, sender=Member, dispatch_uid="catalogue.link_parties_to_member")
def member_saved(sender: type[Member], instance: Member, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return  # loaddata: the fixture says what it says
    link_parties_to_member(instance)
