"""Short links followed after intake: where each leads, and what that means for the link.

A link on a known shortener (``linkkit.shorteners``: ``t.co``, ``bit.ly``, ``vm.tiktok.com``…) is
accepted at intake and waits here before any notice is built (``notices.services.build`` holds
it until ``resolved_at`` is set). ``resolve_short_links`` follows it through the safe fetcher
(``takedowns/resolve.py``), records the chain on the link, and classifies the target like any
reported URL:

* a target on a licensed platform: the short link is refused (the member is told which platform
  and why) and the quota unit it used is given back;
* any other target: a link is opened for it, for the same work and action, outside the quota
  (or the active report of that target is named), so the platform that hosts the content gets
  its notice, while the short link keeps its own recipients (the shortener can disable it);
* no target (the chain never leaves the shorteners, the fetch failed, the target is a search
  page): the short link goes on alone, to the shortener, and its history says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_noop

from sentinelle import linkkit
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns import resolve
from sentinelle.takedowns.models import EventKind, LinkStatus, RefusalReason, ReportedLink
from sentinelle.takedowns.services.links import (
    LinkFacts,
    LinkIdentity,
    NewEvent,
    change_status_many,
    find_active_duplicate,
    give_back_quota,
    lock_work,
    new_link,
    open_link,
    recipient_rows,
    record_resolution,
)

# Short links waiting for their resolution (a link refused or closed meanwhile is left alone).
PENDING_STATUSES = (LinkStatus.ACCEPTED,)


@dataclass
class ResolveSummary:
    resolved: int = 0
    refused: int = 0
    targets: list[int] = field(default_factory=list)
    unresolved: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "resolved": self.resolved,
            "refused": self.refused,
            "targets": self.targets,
            "unresolved": self.unresolved,
        }


def pending_short_links(link_ids: list[int] | None = None, limit: int = 200) -> list[ReportedLink]:
    rows = ReportedLink.objects.filter(shortener=True, resolved_at__isnull=True, status__in=PENDING_STATUSES)
    if link_ids is not None:
        rows = rows.filter(pk__in=link_ids)
    return list(rows.order_by("pk")[:limit])


def resolve_short_links(link_ids: list[int] | None = None, *, limit: int = 200) -> ResolveSummary:
    """Follow every pending short link (those of ``link_ids``, or the oldest ``limit``).

    The links of one URL in one submission ("both" actions) are followed once.
    """
    summary = ResolveSummary()
    followed: dict[tuple[int, str], resolve.Followed] = {}
    for link in pending_short_links(link_ids, limit):
        key = (link.request_id, link.url)
        if key not in followed:
            followed[key] = resolve.follow(link.url)
        _apply(link, followed[key], summary)
    return summary


def _apply(link: ReportedLink, followed: resolve.Followed, summary: ResolveSummary) -> None:
    summary.resolved += 1
    classification: linkkit.Classification | None = None
    error = followed.error
    if followed.target:
        try:
            classification = linkkit.classify(followed.target, get_registry())
        except linkkit.LinkError as exc:
            error = exc.code
    if classification is not None and classification.flag in (linkkit.FLAG_SEARCH_PAGE, linkkit.FLAG_OPAQUE_REDIRECT):
        classification, error = None, "search_page"
    if classification is None:
        summary.unresolved += 1
        _unresolved(link, followed, error or "no_target")
    elif classification.licensed:
        summary.refused += 1
        _refuse(link, followed, classification)
    else:
        summary.targets.append(_follow_target(link, followed, classification).pk)


def _unresolved(link: ReportedLink, followed: resolve.Followed, error: str) -> None:
    record_resolution(
        link,
        chain=followed.chain,
        error=error,
        message=gettext_noop(
            "Where this short link leads could not be found (%(why)s): the notice goes to the shortener alone."
        ),
        params={"why": error},
    )


def _target_label(classification: linkkit.Classification) -> str:
    platform = classification.platform
    return platform.name if platform else classification.url.registrable_domain


def _refuse(link: ReportedLink, followed: resolve.Followed, classification: linkkit.Classification) -> None:
    message = gettext_noop(
        "This short link leads to %(target)s, on %(platform)s, which is licensed by the society: its use "
        "of your works is already paid for. Contact the society if you think this use is outside the licence."
    )
    params: dict[str, object] = {"target": classification.url.url, "platform": _target_label(classification)}
    with transaction.atomic():
        record_resolution(
            link,
            chain=followed.chain,
            target=classification.url.url,
            refusal_reason=RefusalReason.LICENSED_PLATFORM,
        )
        change_status_many(
            [link.pk],
            LinkStatus.REFUSED,
            kind=EventKind.REFUSED,
            message=message,
            params=params,
            data={"reason": RefusalReason.LICENSED_PLATFORM, "resolved_url": classification.url.url},
        )
        give_back_quota(link)


def _follow_target(
    link: ReportedLink, followed: resolve.Followed, classification: linkkit.Classification
) -> ReportedLink:
    """The target's link for the same work and action: an active report of it, or a new link."""
    canonical = classification.url
    identity = LinkIdentity.of(canonical)
    rows = recipient_rows(classification, link.action)
    with transaction.atomic():
        lock_work(link.work_id)  # before looking: an intake of the same link waits, then sees this one
        target = find_active_duplicate(link.work_id, link.action, identity, lock=True)
        if target is None:
            target = open_link(
                new_link(
                    request_id=link.request_id,
                    member_id=link.member_id,
                    work_id=link.work_id,
                    action=link.action,
                    facts=_target_facts(link, classification, identity),
                    status=LinkStatus.ACCEPTED,
                    recipients=rows,
                ),
                events=[
                    NewEvent(
                        EventKind.RECEIVED,
                        "",
                        gettext_noop("Where short link #%(id)d leads, opened by the society."),
                        data={"short_link": link.pk},
                        params={"id": link.pk},
                    ),
                    NewEvent(
                        EventKind.ACCEPTED,
                        LinkStatus.ACCEPTED,
                        gettext_noop("Accepted (%(who)s): its notices are being prepared."),
                        data={"recipients": rows, "short_link": link.pk},
                        params={"who": ", ".join(str(r["name"]) for r in rows) or "—"},
                    ),
                ],
            )
        if target.member_id == link.member_id:
            message = gettext_noop("This short link leads to %(target)s: it is followed as link #%(id)d.")
        else:  # a co-writer's report: a member never sees another's links
            message = gettext_noop("This short link leads to %(target)s, already reported for this work.")
        record_resolution(
            link,
            chain=followed.chain,
            target=canonical.url,
            target_link=target,
            message=message,
            params={"target": canonical.url, "id": target.pk},
        )
    return target


def _target_facts(link: ReportedLink, classification: linkkit.Classification, identity: LinkIdentity) -> LinkFacts:
    canonical = classification.url
    platform = classification.platform
    return LinkFacts(
        submitted_url=canonical.url,
        url=canonical.url,
        identity=identity,
        host=canonical.host[:255],
        registrable_domain=canonical.registrable_domain,
        platform_id=platform.platform_id if platform and isinstance(platform.platform_id, int) else None,
        unwrapped_from=classification.unwrapped_from or "",
        line_number=link.line_number,
    )
