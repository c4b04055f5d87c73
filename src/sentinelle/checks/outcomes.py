"""How a followed link ends when the checks cannot settle it, or contradict an answer.

* **unverifiable** — the follow-up is over (its slots, retries and retry window spent) and no
  check since the notice was conclusive: the site never answered, or only with pages that say
  nothing (a 403, an empty body). The link leaves the checks and waits in the staff's work queue
  (``checks.selectors.unverifiable_links``); staff close it by hand with a reason
  (``close_by_hand``). The member sees it in the history and the digest.
* **contradiction** — the recipient answered "actioned" and two checks an hour apart still find
  the page online: an event that names the platform (``data.contradiction``, ``data.platform_id``,
  what ``checks.selectors.contradictions`` and the statistics count against its compliance), then
  the next escalation step at once.

Statuses are written through ``takedowns.services`` only.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sentinelle.checks import rules
from sentinelle.checks.escalation import escalate_link
from sentinelle.checks.models import LinkCheck
from sentinelle.checks.schedule import Watched
from sentinelle.core.errors import DomainError
from sentinelle.members.models import User
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status


class OutcomeError(DomainError):
    """Staff asked for a closing the link does not allow; nothing was saved."""


def _unsettled_since(link: ReportedLink, start: dt.datetime) -> tuple[dt.datetime, bool]:
    """When the trailing run of inconclusive checks began (since ``start``), and whether every
    check of it found the site unreachable (rather than a page that says nothing)."""
    checks = LinkCheck.objects.filter(link=link, checked_at__gte=start)
    conclusive = checks.filter(verdict__in=(rules.REMOVED, rules.STILL_ONLINE)).order_by("-checked_at").first()
    run = checks.filter(checked_at__gt=conclusive.checked_at) if conclusive else checks
    verdicts = set(run.values_list("verdict", flat=True))
    first = run.order_by("checked_at").values_list("checked_at", flat=True).first()
    return first or start, verdicts <= {rules.UNREACHABLE}


def mark_unverifiable(link: ReportedLink, w: Watched, *, data: dict[str, object], at: dt.datetime) -> LinkEvent:
    """The follow-up of ``link`` is over and nothing settled it: unverifiable, for staff to close."""
    since, unreachable = _unsettled_since(link, w.follow_from or at)
    if unreachable:
        message = gettext_noop(
            "Unverifiable: the site has been unreachable since %(since)s (last check: %(rule)s). "
            "The society's staff will review it."
        )
    else:
        message = gettext_noop(
            "Unverifiable: every check since %(since)s was inconclusive (last: %(rule)s). "
            "The society's staff will review it."
        )
    return change_status(
        link,
        LinkStatus.UNVERIFIABLE,
        kind=EventKind.CHECK,
        message=message,
        params={"since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M"), "rule": str(data.get("rule", ""))},
        data={**data, "unreachable": unreachable, "since": since.isoformat()},
        at=at,
    )


def record_contradiction(link: ReportedLink, *, data: dict[str, object], at: dt.datetime) -> None:
    """The recipient announced the removal and the page is still online: say so, then escalate."""
    announced = (
        LinkEvent.objects.filter(link=link, to_status=LinkStatus.REMOVAL_ANNOUNCED).order_by("-at", "-id").first()
    )
    said = announced.data if announced is not None and isinstance(announced.data, dict) else {}
    platform_id = said.get("platform_id", link.platform_id)
    who = str(said.get("recipient") or (link.platform.name if link.platform else link.registrable_domain))
    with transaction.atomic():
        change_status(
            link,
            LinkStatus.STILL_ONLINE,
            kind=EventKind.CHECK,
            message=gettext_noop(
                "%(who)s announced the removal, but the page is still online (two checks at least an hour "
                "apart). The request is escalated."
            ),
            params={"who": who},
            data={
                **data,
                "contradiction": True,
                "platform_id": platform_id,
                "notice_id": said.get("notice_id"),
                "answer_id": said.get("answer_id"),
            },
            at=at,
        )
        escalate_link(link, at=at)


def close_by_hand(link: ReportedLink, *, actor: User, reason: str) -> LinkEvent:
    """Staff close an unverifiable link with the reason they give (it leaves the work queue)."""
    if not reason.strip():
        raise OutcomeError("reason_required", _("Give the reason for closing this link."))
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        if locked.status != LinkStatus.UNVERIFIABLE:
            raise OutcomeError("not_unverifiable", _("Only an unverifiable link can be closed by hand."), 409)
        return change_status(
            link,
            LinkStatus.CLOSED,
            kind=EventKind.NOTE,
            message=gettext_noop("Closed by the society: %(reason)s"),
            params={"reason": reason.strip()[:2000]},
            actor=actor,
            data={"closed_by_hand": True},
        )
