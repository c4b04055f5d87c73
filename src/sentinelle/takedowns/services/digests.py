"""The members' result digests: one e-mail a day at most, with the results since the last one."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sentinelle import conf
from sentinelle.members.models import Member
from sentinelle.members.services import user_language
from sentinelle.takedowns.models import DIGEST_STATUSES, EventKind, LinkEvent, ResultDigest
from sentinelle.takedowns.quota import quota_day


def _matters() -> Q:
    """The events a member is told of: a change to a status in ``DIGEST_STATUSES`` (removed,
    delisted, refused, counter-notice, reappeared, unverifiable, closed…), every escalation step,
    and an announced removal the checks contradicted."""
    changed = Q(to_status__in=DIGEST_STATUSES) & ~Q(from_status=F("to_status"))
    return changed | Q(kind=EventKind.ESCALATED) | Q(data__contradiction=True)


def send_result_digests(now: dt.datetime | None = None) -> int:
    """E-mail each member the results recorded since their last digest; at most one e-mail a day.

    Returns the number of e-mails sent. Safe to run as often as wanted (the unique
    (member, day) row is written in the same transaction as the send).
    """
    now = now or timezone.now()
    day = quota_day(now)
    sent = 0
    pending = LinkEvent.objects.filter(_matters(), at__lte=now).values_list("link__member_id", flat=True).distinct()
    for member_id in list(pending):
        member = Member.objects.select_related("user").get(pk=member_id)
        last = member.result_digests.order_by("-covered_until").first()
        if last is not None and last.day == day:
            continue
        events = list(
            LinkEvent.objects.filter(_matters(), link__member=member, at__lte=now)
            .filter(**({"at__gt": last.covered_until} if last else {}))
            .select_related("link", "link__work", "link__platform")
            .order_by("link__work__title", "at")
        )
        if not events:
            continue
        with transaction.atomic():
            _digest, created = ResultDigest.objects.get_or_create(
                member=member, day=day, defaults={"sent_at": now, "covered_until": now, "result_count": len(events)}
            )
            if not created:
                continue
            with translation.override(user_language(member.user)):
                context = {"member": member, "events": events, "society": conf.society(), "site": conf.public_url()}
                subject = _("News of your takedown requests (%(count)d)") % {"count": len(events)}
                body = render_to_string("takedowns/email/result_digest.txt", context)
            # A digest is automatic and expects no answer (RFC 3834): auto-responders stay silent.
            message = EmailMultiAlternatives(
                subject=subject, body=body, to=[member.user.email], headers={"Auto-Submitted": "auto-generated"}
            )
            message.send()
        sent += 1
    return sent
