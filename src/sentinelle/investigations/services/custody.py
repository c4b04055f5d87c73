"""The chain of custody: one append-only, hash-chained log per dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from sentinelle.investigations import chain
from sentinelle.investigations.models import CustodyAction, CustodyEvent, Evidence, Site
from sentinelle.members.models import User


def actor_label(user: User) -> str:
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name != user.email else user.email


def iso_utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def as_record(event: CustodyEvent) -> dict[str, Any]:
    """The event as chained and exported (custody.jsonl): its canonical fields and its hash."""
    return {
        "seq": event.seq,
        "site": event.site_id,
        "at": iso_utc(event.at),
        "actor": event.actor_label,
        "action": event.action,
        "evidence": event.evidence_id,
        "subject": event.subject,
        "reason": event.reason,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def record(
    site: Site,
    *,
    actor: User,
    action: CustodyAction,
    subject: str,
    reason: str = "",
    evidence: Evidence | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Appends one event to the dossier's chain (the dossier row is locked: appends are serialised)."""
    with transaction.atomic():
        Site.objects.select_for_update().only("pk").get(pk=site.pk)
        last = CustodyEvent.objects.filter(site_id=site.pk).order_by("-seq").only("seq", "hash").first()
        fields: dict[str, Any] = {
            "seq": last.seq + 1 if last else 1,
            "site": site.pk,
            "at": iso_utc(timezone.now()),
            "actor": actor_label(actor),
            "action": str(action),
            "evidence": evidence.pk if evidence else None,
            "subject": subject[:500],
            "reason": reason.strip(),
            "details": details or {},
            "prev_hash": last.hash if last else chain.GENESIS,
        }
        return CustodyEvent.objects.create(
            site_id=site.pk,
            seq=fields["seq"],
            at=dt.datetime.fromisoformat(fields["at"].replace("Z", "+00:00")),
            actor=actor,
            actor_label=fields["actor"],
            action=fields["action"],
            evidence=evidence,
            subject=fields["subject"],
            reason=fields["reason"],
            details=fields["details"],
            prev_hash=fields["prev_hash"],
            hash=chain.event_hash(fields),
        )


def verify_site_chain(site: Site) -> list[chain.ChainProblem]:
    """The breaks in a dossier's chain as stored (an edit made behind the application's back)."""
    events = CustodyEvent.objects.filter(site_id=site.pk).order_by("seq")
    return chain.verify_chain(as_record(event) for event in events)
