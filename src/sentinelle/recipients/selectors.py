"""Reads of recipient discovery: the usable contacts of a domain, best first, and where discovery stands.

``contacts_for(registrable_domain, purpose)`` is the one question the notices app asks. Staff
overrides win: when staff set an active contact for a role, discovered contacts of that role are
not returned. A discovered contact is usable while it has not expired, was found again by the
latest run that answered for its source (not withdrawn), was not set aside by staff and is not
suspect (a bounce).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone

from sentinelle.recipients.models import ROLE_ORDER, ContactOverride, DomainDiscovery, Finding, Role, Source


class Purpose(StrEnum):
    NOTICE = "notice"  # a first notice: the site, else its hosting network, else the CDN
    SITE = "site"  # the site's own channels only
    HOSTING = "hosting"  # the hosting network's abuse contact, else the CDN's form
    ESCALATION = "escalation"  # the registrar
    ALL = "all"  # every role, in order


ROLES_FOR: dict[Purpose, tuple[str, ...]] = {
    Purpose.NOTICE: (Role.SITE, Role.HOSTING, Role.CDN),
    Purpose.SITE: (Role.SITE,),
    Purpose.HOSTING: (Role.HOSTING, Role.CDN),
    Purpose.ESCALATION: (Role.REGISTRAR,),
    Purpose.ALL: (Role.SITE, Role.HOSTING, Role.CDN, Role.REGISTRAR),
}


@dataclass(frozen=True)
class RecipientContact:
    role: str
    kind: str  # "email", "web_form" or "https"
    address: str  # an e-mail address or an https URL
    source: str  # where it comes from (Source), "staff" for an override
    source_url: str
    found_at: dt.datetime
    expires_at: dt.datetime | None  # None: a staff contact does not expire
    detail: dict[str, Any] = field(default_factory=dict)
    finding_id: int | None = None
    override_id: int | None = None


def contacts_for(registrable_domain: str, purpose: Purpose | str = Purpose.NOTICE) -> list[RecipientContact]:
    """The usable contacts of the domain for ``purpose``, in order of preference."""
    domain = _clean(registrable_domain)
    return contacts_for_many([domain], purpose).get(domain, [])


def _clean(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def contacts_for_many(
    registrable_domains: Iterable[str], purpose: Purpose | str = Purpose.NOTICE
) -> dict[str, list[RecipientContact]]:
    """``contacts_for`` of many domains in two queries (the notice builder's batch): domain → contacts."""
    return _contacts_of_roles(registrable_domains, ROLES_FOR[Purpose(purpose)])


def contacts_by_purpose(
    registrable_domains: Iterable[str], purposes: Iterable[Purpose | str]
) -> dict[Purpose, dict[str, list[RecipientContact]]]:
    """``contacts_for_many`` of several purposes at once, read together in two queries: purpose →
    domain → contacts (routing asks for a site's own channels and its hosting network's together)."""
    wanted = [Purpose(p) for p in purposes]
    roles = tuple(dict.fromkeys(role for p in wanted for role in ROLES_FOR[p]))
    found = _contacts_of_roles(registrable_domains, roles)
    # A staff contact hides the findings of its own role only: each purpose's share keeps its order.
    return {
        p: {domain: [c for c in contacts if c.role in ROLES_FOR[p]] for domain, contacts in found.items()}
        for p in wanted
    }


def _contacts_of_roles(registrable_domains: Iterable[str], roles: tuple[str, ...]) -> dict[str, list[RecipientContact]]:
    domains = sorted({_clean(d) for d in registrable_domains if d})
    now = timezone.now()
    out: dict[str, list[RecipientContact]] = {d: [] for d in domains}
    overridden: set[tuple[str, str]] = set()
    for start in range(0, len(domains), 2000):
        chunk = domains[start : start + 2000]
        for o in ContactOverride.objects.filter(registrable_domain__any=chunk, role__in=roles, is_active=True).order_by(
            "id"
        ):
            overridden.add((o.registrable_domain, o.role))
            out[o.registrable_domain].append(
                RecipientContact(
                    o.role, o.kind, o.address, Source.STAFF, "", o.created_at, None, {"note": o.note}, override_id=o.pk
                )
            )
        findings = Finding.objects.filter(
            registrable_domain__any=chunk,
            role__in=roles,
            expires_at__gt=now,
            withdrawn_at__isnull=True,
            rejected_at__isnull=True,
            suspect_at__isnull=True,
        ).order_by("preference", "id")
        for f in findings:
            if (f.registrable_domain, f.role) not in overridden:
                out[f.registrable_domain].append(
                    RecipientContact(
                        f.role,
                        f.kind,
                        f.address,
                        f.source,
                        f.source_url,
                        f.found_at,
                        f.expires_at,
                        f.detail,
                        finding_id=f.pk,
                    )
                )
    for contacts in out.values():
        contacts.sort(key=lambda c: (ROLE_ORDER[Role(c.role)], c.override_id is None))  # stable: preference kept
    return out


@dataclass(frozen=True)
class DiscoveryStatus:
    registrable_domain: str
    state: str  # "pending", "done", "retry"; "unknown" when never asked
    last_run_at: dt.datetime | None
    next_run_at: dt.datetime | None
    contacts_found: int
    summary: str
    steps: list[dict[str, Any]]  # the latest run's steps: step, outcome, code, message, retry_at


def discovery_status(registrable_domain: str) -> DiscoveryStatus:
    """Where discovery stands for the domain, with the latest run's reasons (for honest statuses)."""
    domain = registrable_domain.strip().lower().rstrip(".")
    row = DomainDiscovery.objects.filter(registrable_domain=domain).first()
    if row is None:
        return DiscoveryStatus(domain, "unknown", None, None, 0, "", [])
    run = row.runs.order_by("-started_at", "-id").first()
    return DiscoveryStatus(
        domain, row.state, row.last_run_at, row.next_run_at, row.contacts_found, row.summary, run.steps if run else []
    )
