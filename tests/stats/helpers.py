"""Links with a hand-written past: reported at a given instant, moved through given statuses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.notices.models import Notice, NoticeItem, RecipientAnswer
from sentinelle.platforms.models import Platform
from sentinelle.takedowns.models import EventKind, LinkEvent, ReportedLink, TakedownRequest

PARIS = ZoneInfo("Europe/Paris")
_n = iter(range(1, 10**9))


def at(text: str) -> dt.datetime:
    """'2026-03-10 23:30' in Paris time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)


def make_link(
    member: Member,
    work: Work,
    platform: Platform | None,
    reported: str,
    *steps: tuple[str, str],
    action: str = "remove",
) -> ReportedLink:
    """A link reported at ``reported`` (Paris time), then one event per (when, status) step."""
    when = at(reported)
    request = TakedownRequest.objects.create(member=member, work=work, actions=[action])
    n = next(_n)
    link = ReportedLink.objects.create(
        request=request,
        member=member,
        work=work,
        action=action,
        status="accepted",
        submitted_url=f"https://pirate.example/{n}",
        url=f"https://pirate.example/{n}",
        identity_key=f"pirate.example/{n}",
        host="pirate.example",
        registrable_domain="pirate.example",
        platform=platform,
    )
    ReportedLink.objects.filter(pk=link.pk).update(created_at=when)
    LinkEvent.objects.create(link=link, at=when, kind=EventKind.ACCEPTED, from_status="", to_status="accepted")
    status = "accepted"
    for moment, to_status in steps:
        LinkEvent.objects.create(
            link=link, at=at(moment), kind=EventKind.CHECK, from_status=status, to_status=to_status
        )
        status = to_status
    ReportedLink.objects.filter(pk=link.pk).update(status=status)
    link.refresh_from_db()
    return link


def make_notice(
    platform: Platform | None,
    links: list[int],
    sent: str,
    *,
    regime: str = "eu",
    channel: str = "email",
    action: str = "remove",
    answers: tuple[tuple[int, str, str], ...] = (),
) -> Notice:
    """A notice delivered at ``sent`` citing ``links``; ``answers``: (link id, decision, when)."""
    n = next(_n)
    notice = Notice.objects.create(
        recipient_platform=platform,
        recipient_key=f"r{n}",
        recipient_name=platform.name if platform else "Host",
        channel=channel,
        action=action,
        regime=regime,
        language="fr",
        status="delivered",
        dated=at(sent).date(),
        subject="s",
        body="b",
        message_id=f"<{n}@t>",
        idempotency_key=f"k{n}",
        sent_at=at(sent),
    )
    items = {}
    for position, link_id in enumerate(links):
        link = ReportedLink.objects.get(pk=link_id)
        items[link_id] = NoticeItem.objects.create(
            notice=notice,
            link=link,
            escalation_level=0,
            recipient_key=f"r{n}",
            position=position,
            url=link.url,
            site=link.registrable_domain,
            work_title=link.work.title,
        )
    for link_id, decision, when in answers:
        answer = RecipientAnswer.objects.create(notice=notice, item=items[link_id], decision=decision)
        RecipientAnswer.objects.filter(pk=answer.pk).update(received_at=at(when))
    return notice
