"""What the investigations commands share: who is acting, which dossier."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from sentinelle.investigations.access import can_investigate
from sentinelle.investigations.models import Site
from sentinelle.members.models import INVESTIGATOR_GROUP, User


def add_actor_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="the investigator or staff account acting (recorded in the chain of custody); "
        "may be left out when exactly one investigator account exists",
    )


def actor(email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not can_investigate(user):
            raise CommandError(f"{email} is not an investigator or staff account")
        return user
    investigators = list(User.objects.filter(groups__name=INVESTIGATOR_GROUP, is_active=True)[:2])
    if len(investigators) != 1:
        raise CommandError("say who is acting: --as EMAIL (an investigator or staff account)")
    return investigators[0]


def dossier(site_id: int) -> Site:
    try:
        return Site.objects.get(pk=site_id)
    except Site.DoesNotExist:
        raise CommandError(f"no dossier {site_id}") from None
