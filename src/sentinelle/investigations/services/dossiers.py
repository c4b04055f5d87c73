"""Dossiers: open one on a site's domains, group mirrors and successors, status, notes, suggestions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sentinelle.checks.fetch import InvalidURL, normalise_url
from sentinelle.investigations import selectors
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import (
    CustodyAction,
    DomainRelation,
    MirrorSuggestion,
    Site,
    SiteDomain,
    SiteStatus,
    SuggestionStatus,
)
from sentinelle.investigations.services import custody
from sentinelle.linkkit import registrable_domain
from sentinelle.members.models import User
from sentinelle.recipients import services as recipients


def _ask_discovery(domain: str) -> None:
    """Recipient discovery looks at every dossier domain (addresses, network, host, CDN, registrar)."""
    # A name the recipients app cannot look up (an IP address): the dossier keeps it all the same.
    with contextlib.suppress(recipients.InvalidDomain):
        recipients.request_discovery(domain)


def normalise_domain(text: str) -> str:
    """``https://www.Example.to/x`` or ``www.example.to`` -> ``example.to``; InvestigationError if not a host."""
    raw = text.strip()
    if not raw:
        raise InvestigationError(_("Give a domain name."), code="invalid_domain")
    try:
        _href, host, _port = normalise_url(raw if "://" in raw else f"http://{raw}")
    except InvalidURL:
        raise InvestigationError(
            _("%(value)s is not a domain name.") % {"value": raw[:100]}, code="invalid_domain"
        ) from None
    return registrable_domain(host) or host


def open_dossier(domains: Iterable[str], *, actor: User, name: str = "") -> Site:
    """The dossier of these domains: a new one, or the one that already holds some of them.

    Domains spread over two dossiers are refused (merging dossiers is a decision, not a side effect).
    """
    wanted = list(dict.fromkeys(normalise_domain(d) for d in domains))
    if not wanted:
        raise InvestigationError(_("Give at least one domain."), code="invalid_domain")
    with transaction.atomic():
        taken = dict(SiteDomain.objects.select_for_update().filter(domain__in=wanted).values_list("domain", "site_id"))
        holders = set(taken.values())
        if len(holders) > 1:
            raise InvestigationError(
                _("These domains are in different dossiers (%(ids)s).") % {"ids": ", ".join(map(str, sorted(holders)))},
                code="domains_in_two_dossiers",
            )
        if holders:
            site = Site.objects.get(pk=holders.pop())
        else:
            site = Site.objects.create(name=(name.strip() or wanted[0])[:200], opened_by=actor)
            custody.record(
                site,
                actor=actor,
                action=CustodyAction.OPENED,
                subject=f"dossier {site.pk}",
                details={"domains": wanted},
            )
        for domain in wanted:
            if domain not in taken:
                relation = DomainRelation.ORIGINAL if not taken and domain == wanted[0] else DomainRelation.MIRROR
                SiteDomain.objects.create(site=site, domain=domain, relation=relation, added_by=actor)
                _ask_discovery(domain)
    return site


def add_domain(site: Site, domain: str, *, relation: str, actor: User) -> SiteDomain:
    name = normalise_domain(domain)
    if relation not in DomainRelation.values:
        raise InvestigationError(_("Unknown relation."), code="invalid_relation")
    with transaction.atomic():
        existing = SiteDomain.objects.select_for_update().filter(domain=name).first()
        if existing is not None:
            if existing.site_id != site.pk:
                raise InvestigationError(
                    _("%(domain)s is already in dossier %(id)s.") % {"domain": name, "id": existing.site_id},
                    code="domain_taken",
                )
            return existing
        row = SiteDomain.objects.create(site=site, domain=name, relation=relation, added_by=actor)
        _ask_discovery(name)
        MirrorSuggestion.objects.filter(site=site, domain=name, status=SuggestionStatus.PENDING).update(
            status=SuggestionStatus.ACCEPTED, decided_by=actor, decided_at=timezone.now()
        )
        Site.objects.filter(pk=site.pk).update(updated_at=timezone.now())
    return row


def update_dossier(site: Site, *, status: str, name: str, operator_notes: str) -> Site:
    if status not in SiteStatus.values:
        raise InvestigationError(_("Unknown status."), code="invalid_status")
    if not name.strip():
        raise InvestigationError(_("Give the dossier a name."), code="invalid_name")
    site.status = status
    site.name = name.strip()[:200]
    site.operator_notes = operator_notes
    site.save(update_fields=["status", "name", "operator_notes", "updated_at"])
    return site


def decide_suggestion(suggestion: MirrorSuggestion, *, accept: bool, actor: User) -> MirrorSuggestion:
    """Accepting adds the domain to the dossier as a mirror; rejecting keeps it from coming back."""
    with transaction.atomic():
        suggestion = MirrorSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != SuggestionStatus.PENDING:
            return suggestion
        if accept:
            add_domain(suggestion.site, suggestion.domain, relation=DomainRelation.MIRROR, actor=actor)
        # Every pending reason for the same domain is settled by the one decision.
        MirrorSuggestion.objects.filter(
            site_id=suggestion.site_id, domain=suggestion.domain, status=SuggestionStatus.PENDING
        ).update(
            status=SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        suggestion.refresh_from_db()
    return suggestion


def refresh_mirror_suggestions(site: Site) -> int:
    """Records new suggestions (a rejected or accepted one is never re-opened). Returns how many are new."""
    decided = set(
        MirrorSuggestion.objects.filter(site=site)
        .exclude(status=SuggestionStatus.PENDING)
        .values_list("domain", flat=True)
    )
    created = 0
    for domain, reason, detail in sorted(selectors.mirror_candidates(site)):
        if domain in decided:
            continue
        _row, new = MirrorSuggestion.objects.get_or_create(
            site=site, domain=domain, reason=reason, defaults={"detail": detail[:500]}
        )
        created += int(new)
    return created
