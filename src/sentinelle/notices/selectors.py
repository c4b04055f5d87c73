"""Reads for the notice desk."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from sentinelle import conf
from sentinelle.notices import legal, routing
from sentinelle.notices.models import Channel, Notice, NoticeItem, NoticeStatus
from sentinelle.takedowns.models import Action, LinkStatus, ReportedLink


def answer_sheet_items(notice: Notice) -> QuerySet[NoticeItem]:
    """The notice's items in their order, with their link and the answers already recorded."""
    return notice.items.select_related("link").prefetch_related("answers").order_by("position", "pk")


def resent_after_unknown_outcome() -> QuerySet[Notice]:
    """Notices resent after a worker died past the hand-over, newest first: for staff's work queue.

    The recipient may hold two copies (the same Message-ID, reference and idempotency key), or only
    the resend; staff can tell the recipient, or answer a query about the duplicate.
    """
    return Notice.objects.filter(resent_after_unknown_outcome=True).order_by("-created_at", "-pk")


def recipients_with_notices() -> list[tuple[str, str]]:
    """(recipient key, recipient name) of every recipient that has notices, for the list filter."""
    rows = Notice.objects.order_by("recipient_name", "recipient_key").values_list("recipient_key", "recipient_name")
    seen: dict[str, str] = {}
    for key, name in rows.distinct():
        seen.setdefault(key, name)
    return sorted(seen.items(), key=lambda kv: (kv[1].casefold(), kv[0]))


def notice_data(notice: Notice) -> legal.NoticeData:
    """What the notice says, from its stored row and items: for rendering and validation."""
    items = [
        legal.ItemData(
            url=i.url,
            site=i.site,
            work_title=i.work_title,
            work_iswc=i.work_iswc,
            rights_holders=i.rights_holders,  # shared, as the items share it (read only)
        )
        for i in notice.items.all()  # in position order (the model's ordering, or the caller's prefetch)
    ]
    return legal.NoticeData(
        regime=notice.regime,
        language=notice.language,
        action=notice.action,
        escalation_level=notice.escalation_level,
        recipient_name=notice.recipient_name,
        recipient_domain=notice.recipient_domain,
        sender=dict(notice.sender),
        dated=notice.dated,
        reference=legal.reference(notice),
        items=items,
        search_engine=notice.action == Action.DELIST,
        recipient_role=str((notice.route or {}).get("role", "")) if notice.escalation_level < 2 else "",
        recipient_address=legal.designated_address(notice.channel, notice.recipient_email, notice.recipient_endpoint),
    )


# --- what the member is told: each notice of a link, and what happens next ------------------------


@dataclass(frozen=True)
class MemberNotice:
    """One notice of a link as its member sees it: recipient, channel, state (a sentence), date."""

    notice_id: int | None
    recipient: str
    channel: str
    state: str  # "held", "queued", "hand", "sending", "sent", "answered", "failed", "preparing"
    text: str
    at: dt.datetime | None
    level: int = 0


MEMBER_STATES = {
    "held": gettext_noop("Held"),
    "queued": gettext_noop("Leaving shortly"),
    "hand": gettext_noop("Waiting for a hand delivery by the society"),
    "sending": gettext_noop("Being sent"),
    "sent": gettext_noop("Sent"),
    "answered": gettext_noop("Answered"),
    "failed": gettext_noop("Not delivered"),
    "bounced": gettext_noop("Bounced"),
    "preparing": gettext_noop("Being prepared"),
}


def build_minutes() -> int:
    """Minutes until a due link is in a notice, at the latest (the builder's period)."""
    return max(1, math.ceil(int(conf.setting("SENTINELLE_BUILD_NOTICES_EVERY")) / 60))


def first_check_hours() -> float:
    hours = conf.check_schedule_hours()
    return hours[0] if hours else 1.0


def _member_state(notice: Notice) -> tuple[str, str, dt.datetime | None]:
    """(state, sentence, date) of a notice for the member who reported one of its links."""
    name, channel = notice.recipient_name, Channel(notice.channel).label
    status = notice.status
    if status == NoticeStatus.DRAFT:
        if notice.hold_code == "no_contact":
            return "held", routing.hold_text("no_contact", {"recipient": name}, member=True), notice.created_at
        return "held", routing.hold_text(notice.hold_code or "missing_elements", {}, member=True), notice.created_at
    if status == NoticeStatus.QUEUED and notice.channel in (Channel.BULK_FILE, Channel.WEB_FORM):
        text = _("Waiting for a hand delivery by the society (%(channel)s of %(recipient)s).")
        return "hand", text % {"channel": channel, "recipient": name}, notice.created_at
    if status in (NoticeStatus.QUEUED, NoticeStatus.SENDING):
        text = _("The notice to %(recipient)s leaves by %(channel)s within minutes.")
        return (
            ("sending" if status == NoticeStatus.SENDING else "queued"),
            text
            % {
                "recipient": name,
                "channel": channel,
            },
            notice.created_at,
        )
    if status == NoticeStatus.DELIVERED:
        return "sent", _("Notice sent to %(recipient)s.") % {"recipient": name}, notice.sent_at
    if status == NoticeStatus.BOUNCED:
        return "bounced", routing.hold_text("bounced", {}, member=True), notice.sent_at or notice.created_at
    if status == NoticeStatus.ANSWERED:
        return "answered", _("%(recipient)s answered the notice.") % {"recipient": name}, notice.answered_at
    return (
        "failed",
        _("The notice to %(recipient)s could not be delivered; the society is looking into it.") % {"recipient": name},
        notice.created_at,
    )


def link_notices(link: ReportedLink) -> list[MemberNotice]:
    """Every notice of the link that exists or will exist (never a discarded one), oldest first.

    A link waiting for its notices (accepted or escalated, no notice yet at its level) gets one row
    "being prepared" saying when: the builder's period. A refused or final link lists only its notices.
    """
    notices = (
        Notice.objects.filter(Q(items__discarded=False) | Q(status=NoticeStatus.BOUNCED), items__link=link)
        .exclude(status=NoticeStatus.DISCARDED)
        .order_by("created_at", "id")
        .distinct()
    )
    rows = []
    for notice in notices:
        state, text, at = _member_state(notice)
        rows.append(
            MemberNotice(
                notice.pk,
                notice.recipient_name,
                str(Channel(notice.channel).label),
                state,
                text,
                at,
                notice.escalation_level,
            )
        )
    waiting = link.status in (LinkStatus.ACCEPTED, LinkStatus.ESCALATED)
    if waiting and not any(r.level == link.escalation_level for r in rows):
        text = _("The notice is being prepared: within %(minutes)s minutes it is built and its recipient known.") % {
            "minutes": build_minutes()
        }
        rows.append(MemberNotice(None, "", "", "preparing", text, None, link.escalation_level))
    return rows


def state_label(state: str) -> str:
    return gettext(MEMBER_STATES.get(state, state))


@dataclass(frozen=True)
class NextStep:
    """What happens next to a just-accepted link, per recipient, in the member's language."""

    recipient: str
    state: str  # "automatic", "hand", "held"
    text: str


# What routing reads of a link (``routing.routes_for``), and ``next_steps_of`` with it.
NEXT_STEP_FIELDS = ("id", "url", "registrable_domain", "action", "recipients", "escalation_level", "platform_id")


def next_steps(link_ids: Iterable[int]) -> dict[int, list[NextStep]]:
    """Per link: who would receive its notice now, through what, and when (the routing as it stands).

    The verdict page's answer to "what happens next": a notice left automatically within the
    builder's period and its first check after the first scheduled hour; a hand delivery by the
    society; or no contact yet, which the society is looking for.
    """
    rows = ReportedLink.objects.filter(pk__in=list(link_ids)).values(*NEXT_STEP_FIELDS)
    return next_steps_of([dict(row) for row in rows])


def next_steps_of(links: Sequence[Mapping[str, Any]]) -> dict[int, list[NextStep]]:
    """``next_steps`` of links in hand, with the values of ``NEXT_STEP_FIELDS``: intake's just-written
    links, which it knows without reading them back."""
    if not links:
        return {}
    rows = [dict(link) for link in links]
    book = routing.book_for(rows)
    params = {"minutes": build_minutes(), "hours": f"{first_check_hours():g}"}
    return {link["id"]: [_next_step(route, params) for route in routing.routes_for(link, book)] for link in rows}


def _next_step(route: routing.Route, common: Mapping[str, object]) -> NextStep:
    params = {**common, "recipient": route.name, "channel": Channel(route.channel).label}
    if route.hold:
        return NextStep(route.name, "held", routing.hold_text(route.hold, params, member=True))
    if route.channel in (Channel.BULK_FILE, Channel.WEB_FORM):
        text = _("The notice to %(recipient)s waits for a hand delivery by the society (%(channel)s).")
        return NextStep(route.name, "hand", text % params)
    text = _(
        "The notice to %(recipient)s leaves by %(channel)s within %(minutes)s minutes; the link is first "
        "checked %(hours)s hour(s) after it is sent."
    )
    return NextStep(route.name, "automatic", text % params)
