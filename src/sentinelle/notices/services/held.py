"""Notices held for want of a contact: their links parked, discovery asked, released when a contact comes.

A link whose every route lacks a contact is built into a draft held with the code ``no_contact``
(notices/routing.py) and *parked* (a ``ParkedLink`` row): the builder no longer reads it on every
sweep. Discovery is asked to look at its domain. When a contact becomes known — discovery found one
(the ``recipients.signals.contacts_changed`` signal), or staff gave one — ``release_held`` withdraws
the held drafts of that domain (kept, as "discarded", with the reason), wakes their links and queues
a building pass, which routes them with the contacts as they stand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf
from sentinelle.members.models import User
from sentinelle.notices import tasks
from sentinelle.notices.models import Notice, NoticeItem, NoticeStatus, ParkedLink
from sentinelle.recipients.selectors import Purpose, contacts_for_many
from sentinelle.recipients.services import InvalidDomain, request_discovery
from sentinelle.takedowns.models import EventKind, LinkStatus
from sentinelle.takedowns.services import change_status_many

logger = logging.getLogger(__name__)

# Held until a contact is known: drafts nobody could be reached for, and notices whose address bounced with
# no other source to try (services/bounces.py).
HELD_FOR_CONTACT = Q(status=NoticeStatus.DRAFT, hold_code="no_contact") | Q(
    status=NoticeStatus.BOUNCED, hold_code="bounced"
)

RELEASED = gettext_noop("A contact is now known for %(recipient)s: the notice is being prepared.")


def park(link_ids: list[int], notice: Notice, now: dt.datetime) -> None:
    """The builder skips these links at their level until ``release_held`` wakes them."""
    park_many([(notice, link_ids)], now)


def park_many(held_notices: list[tuple[Notice, list[int]]], now: dt.datetime) -> None:
    """``park`` for the links of several held notices at once (one delete, one insert)."""
    rows = {
        pk: ParkedLink(
            link_id=pk,
            escalation_level=notice.escalation_level,
            recipient_key=notice.recipient_key,
            recipient_domain=notice.recipient_domain,
            notice_id=notice.pk,
            parked_at=now,
        )
        for notice, link_ids in held_notices
        for pk in link_ids
    }
    if rows:
        ParkedLink.objects.filter(link_id__in=list(rows)).delete()
        ParkedLink.objects.bulk_create(rows.values())


def ask_discovery(domains: Iterable[str]) -> None:
    """Make discovery due for the held domains it has not looked at (its periodic task runs them)."""
    for domain in sorted(set(domains)):
        try:
            request_discovery(domain, enqueue=False)
        except InvalidDomain:
            logger.info("no discovery for %r: not a registrable domain", domain)


def release_held(domains: Iterable[str], *, actor: User | None = None, why: str = "contact_found") -> int:
    """Withdraw the drafts held for want of a contact at these domains when one is now known; wake their links.

    Only domains with a usable contact for a notice are released (a registrar alone does not make
    one). Returns the number of notices released; a building pass is queued after the commit.
    """
    names = {d.strip().lower() for d in domains if d}
    reachable = [d for d, contacts in contacts_for_many(names, Purpose.NOTICE).items() if contacts]
    reachable += [d for d in names if d not in reachable and _registry_reachable(d)]
    if not reachable:
        return 0
    now = timezone.now()
    released = 0
    with transaction.atomic():
        held = Notice.objects.select_for_update().filter(HELD_FOR_CONTACT, recipient_domain__in=reachable)
        for notice in list(held):
            _release(notice, actor, why, now)
            released += 1
        if released:
            transaction.on_commit(queue_build)
    return released


def _registry_reachable(domain: str) -> bool:
    """Staff may also give the contact in the registry: its platform for the domain has a channel now."""
    from sentinelle.notices.routing import registry_channel
    from sentinelle.platforms.models import Platform

    platform = Platform.objects.filter(domains__domain=domain).first()
    return platform is not None and registry_channel(platform)[0] != "none"


def _release(notice: Notice, actor: User | None, why: str, now: dt.datetime) -> None:
    if notice.status == NoticeStatus.BOUNCED:  # it stays "bounced", a record of the refusal; no longer held
        Notice.objects.filter(pk=notice.pk).update(hold_code="")
    else:
        Notice.objects.filter(pk=notice.pk).update(
            status=NoticeStatus.DISCARDED,
            discarded_at=now,
            discarded_by=actor,
            discard_reason=f"released: {why}",
            next_attempt_at=None,
        )
    NoticeItem.objects.filter(notice=notice).update(discarded=True)
    link_ids = list(notice.items.values_list("link_id", flat=True))
    ParkedLink.objects.filter(link_id__in=link_ids).delete()
    params: dict[str, object] = {"recipient": notice.recipient_name}
    change_status_many(
        link_ids,
        LinkStatus.ACCEPTED,
        kind=EventKind.NOTE,
        message=RELEASED,
        params=params,
        actor=actor,
        data={"notice_id": notice.pk, "released": why},
        at=now,
        only_from=(),
    )


def queue_build() -> None:
    if not conf.notice_enqueue_delivery():
        return
    try:
        tasks.build_notices.enqueue()
    except Exception:
        logger.exception("could not queue a building pass after releasing held notices")


def on_contacts_changed(sender: Any, domains: Iterable[str] = (), **kwargs: Any) -> None:
    """Receiver of ``recipients.signals.contacts_changed``."""
    release_held(domains, actor=kwargs.get("actor"), why=str(kwargs.get("why") or "contact_found"))
