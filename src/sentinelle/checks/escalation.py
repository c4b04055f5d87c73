"""Escalation of links still online past their deadline, and the follow-up links it opens.

Still online past the deadline of its regime (``SENTINELLE_ESCALATION_DEADLINE_HOURS``,
counted from the notice): a reminder to the same recipient (level 1), then a notice to the
hosting provider where the registry knows it (level 2), then a notice to the registrar of the
link's domain where staff or recipient discovery know a usable contact for it (level 3; the notice
is routed by ``notices.routing``), then, for a removal when
``SENTINELLE_ESCALATE_TO_DELIST`` allows it, a delisting request to the search engines (a new
"delist" link, opened through ``takedowns.services``). Each step is a LinkEvent the member sees.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf, linkkit
from sentinelle.checks import rules
from sentinelle.checks.models import LinkSchedule
from sentinelle.checks.schedule import as_watched, chunks, watched_links
from sentinelle.notices import routing
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns import services as links
from sentinelle.takedowns.models import (
    LEVEL_HOSTING,
    LEVEL_REGISTRAR,
    LEVEL_REMINDER,
    Action,
    EventKind,
    LinkEvent,
    LinkStatus,
    ReportedLink,
)
from sentinelle.takedowns.services import change_status

STEP_REMINDER = "reminder"
STEP_HOSTING_PROVIDER = "hosting_provider"
STEP_REGISTRAR = "registrar"
STEP_DELIST = "delist"
STEP_EXHAUSTED = "exhausted"


# --- Follow-up links (reappearance, delisting) ---------------------------------------------


def _delist_recipients(url: str) -> list[dict[str, object]]:
    """The search engines a delisting of ``url`` goes to (the registry's, as at intake)."""
    registry = get_registry()
    try:
        recipients = linkkit.classify(url, registry).delist_recipients
    except linkkit.LinkError:
        recipients = registry.delist_recipients
    return [{"platform_id": r.platform_id, "name": r.name, "domain": r.domain} for r in recipients]


def open_follow_up_link(
    source: ReportedLink, action: str, *, why: str, data: dict[str, object], at: dt.datetime | None = None
) -> tuple[ReportedLink, bool]:
    """``takedowns.services.open_follow_up_link`` with the recipients of ``action``: the source's
    own for the same action, the registry's search engines for a delisting."""
    recipients = source.recipients if action == source.action else _delist_recipients(source.url)
    return links.open_follow_up_link(source, action, recipients=recipients, why=why, data=data, at=at)


# --- Escalation -----------------------------------------------------------------------------


def _steps_taken(link: ReportedLink) -> set[str]:
    return {
        str(step)
        for step in LinkEvent.objects.filter(link=link, kind=EventKind.ESCALATED).values_list("data__step", flat=True)
        if step
    }


def escalate_link(link: ReportedLink, *, at: dt.datetime) -> str | None:
    """Take the next escalation step for a link still online past its deadline; the step or None."""
    with transaction.atomic():
        link = (
            ReportedLink.objects.select_for_update(of=("self",))
            .select_related("platform__hosting_provider")
            .get(pk=link.pk)
        )
        if link.status != LinkStatus.STILL_ONLINE:
            return None
        step = _next_step(link)
        if step is None:
            return _last_step(link, at)
        level, name, message, params = step
        ReportedLink.objects.filter(pk=link.pk).update(escalation_level=level)
        link.escalation_level = level
        change_status(
            link,
            LinkStatus.ESCALATED,
            kind=EventKind.ESCALATED,
            message=message,
            params=params,
            data={"step": name, "level": level},
            at=at,
        )
        return name


def _next_step(link: ReportedLink) -> tuple[int, str, str, dict[str, object]] | None:
    """(level, step, message, its parameters) of the link's next notice; None when none is left."""
    platform = link.platform
    provider = platform.hosting_provider if platform is not None else None
    recipient = platform.name if platform is not None else link.registrable_domain
    if link.escalation_level < LEVEL_REMINDER:
        message = gettext_noop("Still online after the deadline: a reminder is sent to %(who)s.")
        return LEVEL_REMINDER, STEP_REMINDER, message, {"who": recipient}
    if link.escalation_level == LEVEL_REMINDER and provider is not None:
        message = gettext_noop(
            "Still online after the reminder: a notice is sent to %(provider)s, which hosts %(who)s."
        )
        return LEVEL_HOSTING, STEP_HOSTING_PROVIDER, message, {"provider": provider.name, "who": recipient}
    if link.escalation_level < LEVEL_REGISTRAR and (registrar := routing.registrar_of(link.registrable_domain)):
        message = gettext_noop(
            "Still online after the notices: a notice goes to %(registrar)s, the registrar of the domain %(domain)s."
        )
        return LEVEL_REGISTRAR, STEP_REGISTRAR, message, {"registrar": registrar.name, "domain": registrar.domain}
    return None


def _last_step(link: ReportedLink, at: dt.datetime) -> str | None:
    taken = _steps_taken(link)
    if STEP_DELIST in taken or STEP_EXHAUSTED in taken:
        return None
    if link.action == Action.REMOVE and conf.escalate_to_delist():
        delist, created = open_follow_up_link(
            link,
            Action.DELIST,
            why=gettext_noop(
                "Accepted: the page stays online despite the notices, so the search engines are asked to delist it."
            ),
            data={"escalated_from": link.pk},
            at=at,
        )
        message = (
            gettext_noop("Still online after every notice: the search engines are asked to delist it (link #%(id)d).")
            if created
            else gettext_noop("Still online after every notice; its delisting is already requested (link #%(id)d).")
        )
        change_status(
            link,
            LinkStatus.STILL_ONLINE,
            kind=EventKind.ESCALATED,
            message=message,
            params={"id": delist.pk},
            data={"step": STEP_DELIST, "delist_link": delist.pk},
            at=at,
        )
        return STEP_DELIST
    change_status(
        link,
        LinkStatus.STILL_ONLINE,
        kind=EventKind.ESCALATED,
        message=gettext_noop("Still online after every notice. The society's staff will review it."),
        data={"step": STEP_EXHAUSTED},
        at=at,
    )
    return STEP_EXHAUSTED


def escalate_overdue(now: dt.datetime | None = None) -> list[int]:
    """Escalate every "still online" link whose latest notice is older than its regime's deadline."""
    now = now or timezone.now()
    escalated: list[int] = []
    # The schedule rows narrow the search; the link's own events and checks decide.
    candidates = list(
        LinkSchedule.objects.filter(
            link__status=LinkStatus.STILL_ONLINE,
            last_verdict=rules.STILL_ONLINE,
            notice_at__lte=now - min(conf.escalation_deadlines().values()),
        )
        .order_by("link_id")
        .values_list("link_id", flat=True)
    )
    for chunk in chunks(candidates):
        for link in list(watched_links(chunk).filter(status=LinkStatus.STILL_ONLINE)):
            w = as_watched(link)
            regime = link.platform.regime if link.platform else "other"
            if w.notice_at is None or now - w.notice_at < conf.escalation_deadline(regime):
                continue
            if w.last_verdict != rules.STILL_ONLINE:
                continue
            if escalate_link(link, at=now) is not None:
                escalated.append(link.pk)
    return escalated
