"""Intake: pasted text for one work → a verdict per line, accepted links saved with their events.

The rules live here, once, for the page and the API alike: own works only, the licensed
platforms, duplicates, search-engine pages, and the daily quota — which holds under
concurrent submissions because every submission of a member locks that member's quota row
for the day (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write transaction is IMMEDIATE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from sentinelle import linkkit
from sentinelle.catalogue.models import Work
from sentinelle.catalogue.selectors import get_member_work
from sentinelle.members.models import Member, User
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns.models import (
    ACTIVE_STATUSES,
    Action,
    DailyQuotaUsage,
    EventKind,
    LinkEvent,
    LinkStatus,
    RefusalReason,
    ReportedLink,
    TakedownRequest,
    message_params,
)
from sentinelle.takedowns.quota import daily_limit, quota_day, quota_resets_at

ACCEPTED = "accepted"
REFUSED = "refused"


class IntakeError(Exception):
    """The submission as a whole cannot be taken; nothing was saved. ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class WorkNotFound(IntakeError):
    def __init__(self) -> None:
        super().__init__("work_not_found", _("No such work in your catalogue."))


@dataclass
class LineVerdict:
    """The answer for one pasted line (several when a line holds several URLs)."""

    line_no: int
    text: str
    outcome: str  # ACCEPTED or REFUSED
    reason: str = ""  # a RefusalReason value when refused
    message: str = ""
    url: str = ""
    platform: str = ""
    actions: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    duplicate_of: int | None = None
    reappearance_of: int | None = None


@dataclass
class SubmissionResult:
    request: TakedownRequest | None
    verdicts: list[LineVerdict]
    quota_limit: int
    quota_remaining: int
    quota_resets_at: dt.datetime

    @property
    def accepted(self) -> list[LineVerdict]:
        return [v for v in self.verdicts if v.outcome == ACCEPTED]

    @property
    def refused(self) -> list[LineVerdict]:
        return [v for v in self.verdicts if v.outcome == REFUSED]


def max_lines() -> int:
    return int(getattr(settings, "SENTINELLE_MAX_LINES_PER_SUBMISSION", 1000))


def max_text_bytes() -> int:
    return int(getattr(settings, "SENTINELLE_MAX_SUBMISSION_BYTES", 1_048_576))


def _validate_actions(actions: Sequence[str]) -> list[str]:
    chosen = [a for a in Action.values if a in set(actions)]
    unknown = set(actions) - set(Action.values)
    if unknown or not chosen:
        raise IntakeError("invalid_action", _("Choose the action: remove from the site, delist, or both."))
    return chosen


def _pasted_lines(text: str) -> list[linkkit.PastedLine]:
    if len(text.encode("utf-8", "surrogatepass")) > max_text_bytes():
        raise IntakeError(
            "too_large",
            _("The pasted text is larger than %(limit)d KB. Send it in several parts.")
            % {"limit": max_text_bytes() // 1024},
        )
    if "\x00" in text:
        raise IntakeError("binary", _("The pasted text contains binary data. Paste web addresses only."))
    non_blank = sum(1 for line in text.splitlines() if line.strip())
    if non_blank == 0:
        raise IntakeError("empty", _("Paste at least one web address."))
    if non_blank > max_lines():
        raise IntakeError(
            "too_many_lines",
            _("%(count)d lines were pasted; at most %(limit)d are taken at once. Send them in several parts.")
            % {"count": non_blank, "limit": max_lines()},
        )
    return list(linkkit.extract_lines(text, max_lines=max_lines()))


def _lock_quota(member: Member, day: dt.date) -> DailyQuotaUsage:
    DailyQuotaUsage.objects.get_or_create(member=member, day=day)
    return DailyQuotaUsage.objects.select_for_update().get(member=member, day=day)


def _existing_link(work: Work, action: str, canonical: linkkit.CanonicalURL) -> ReportedLink | None:
    """The latest earlier report of the same link for this work and action (any member)."""
    same = Q(identity_key=canonical.identity_key)
    if canonical.file_key:
        same |= Q(file_key=canonical.file_key)
    return (
        ReportedLink.objects.filter(same, work=work, action=action)
        .exclude(status=LinkStatus.REFUSED)
        .order_by("-created_at", "-id")
        .first()
    )


def _is_active(link: ReportedLink | None) -> bool:
    return link is not None and link.status in ACTIVE_STATUSES


def _event(
    link: ReportedLink,
    kind: str,
    to_status: str,
    message: str,
    actor: User | None,
    now: dt.datetime,
    data: dict[str, object] | None = None,
    from_status: str = "",
    params: dict[str, object] | None = None,
) -> LinkEvent:
    """``message`` is the English source text (``gettext_noop``), translated when shown."""
    return LinkEvent(
        link=link,
        at=now,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data={**(data or {}), **message_params(params)},
    )


def _recipient_names(classification: linkkit.Classification, action: str) -> list[str]:
    if action == Action.REMOVE:
        rec = classification.remove_recipient
        return [rec.name] if rec is not None else []
    return [r.name for r in classification.delist_recipients]


def _recipient_rows(classification: linkkit.Classification, action: str) -> list[dict[str, object]]:
    if action == Action.REMOVE:
        recs = [classification.remove_recipient] if classification.remove_recipient else []
    else:
        recs = list(classification.delist_recipients)
    return [{"platform_id": r.platform_id, "name": r.name, "domain": r.domain} for r in recs]


def submit_links(
    member: Member,
    work_id: int,
    text: str,
    actions: Sequence[str],
    *,
    actor: User | None = None,
    via_api: bool = False,
    now: dt.datetime | None = None,
) -> SubmissionResult:
    """Take one submission. Raises WorkNotFound or IntakeError (then nothing is saved)."""
    try:
        work = get_member_work(member, work_id)
    except Work.DoesNotExist:
        raise WorkNotFound() from None
    chosen = _validate_actions(actions)
    lines = _pasted_lines(text or "")
    registry = get_registry()
    now = now or timezone.now()
    day = quota_day(now)
    limit = daily_limit(member)
    platform_ids = {r.platform_id for r in registry.rules}

    with transaction.atomic():
        usage = _lock_quota(member, day)
        # Lock the work too: two co-writers reporting the same link at once make one link.
        Work.objects.select_for_update().filter(pk=work.pk).first()
        request = TakedownRequest.objects.create(member=member, work=work, actions=chosen, via_api=via_api)
        verdicts: list[LineVerdict] = []
        seen: dict[str, LineVerdict] = {}
        events: list[LinkEvent] = []

        def refuse(
            verdict: LineVerdict,
            reason: str,
            message: str,
            classification: linkkit.Classification | None,
            params: dict[str, object] | None = None,
        ) -> None:
            """``message`` is the English source text; the verdict shows it in the request's language."""
            shown = _(message)
            verdict.outcome, verdict.reason, verdict.message = REFUSED, reason, shown % params if params else shown
            if classification is None:
                return
            for action in chosen:
                link = _new_link(request, member, work, action, verdict, classification, platform_ids)
                link.status, link.refusal_reason = LinkStatus.REFUSED, reason
                link.save()
                verdict.link_ids.append(link.pk)
                events.append(_event(link, EventKind.RECEIVED, "", gettext_noop("Reported by the member."), actor, now))
                events.append(
                    _event(
                        link,
                        EventKind.REFUSED,
                        LinkStatus.REFUSED,
                        message,
                        actor,
                        now,
                        {"reason": reason},
                        params=params,
                    )
                )

        for pasted in lines:
            verdict = LineVerdict(line_no=pasted.line_no, text=pasted.text, outcome=REFUSED)
            verdicts.append(verdict)
            if pasted.url is None:
                verdict.reason = RefusalReason.NOT_A_URL
                verdict.message = _("This line holds no web address.")
                continue
            try:
                classification = linkkit.classify(pasted.url, registry)
            except linkkit.LinkError as exc:
                verdict.reason = RefusalReason.NOT_A_URL
                verdict.message = _link_error_message(exc)
                continue
            canonical = classification.url
            verdict.url = canonical.url
            verdict.platform = classification.platform.name if classification.platform else canonical.registrable_domain
            if classification.flag in (linkkit.FLAG_SEARCH_PAGE, linkkit.FLAG_OPAQUE_REDIRECT):
                refuse(
                    verdict,
                    RefusalReason.SEARCH_PAGE,
                    gettext_noop(
                        "This is a search-engine page, not the page it points to. Open the result and report "
                        "the address of the page itself."
                    ),
                    classification,
                )
                continue
            if classification.licensed:
                refuse(
                    verdict,
                    RefusalReason.LICENSED_PLATFORM,
                    gettext_noop(
                        "%(platform)s is licensed by the society: its use of your works is already paid for. "
                        "Contact the society if you think this use is outside the licence."
                    ),
                    classification,
                    {"platform": verdict.platform},
                )
                continue
            key = canonical.file_key or canonical.identity_key
            if key in seen:
                first = seen[key]
                refuse(
                    verdict,
                    RefusalReason.DUPLICATE,
                    gettext_noop("The same link as line %(line)d of this submission."),
                    None,
                    {"line": first.line_no},
                )
                verdict.duplicate_of = first.link_ids[0] if first.link_ids else None
                continue
            seen[key] = verdict

            previous = {action: _existing_link(work, action, canonical) for action in chosen}
            active = [p for p in previous.values() if p is not None and p.status in ACTIVE_STATUSES]
            if len(active) == len(chosen):
                dup = active[0]
                params: dict[str, object] | None = None
                if dup.member_id == member.pk:
                    message = gettext_noop("You reported this link on %(date)s; it is still being handled.")
                    params = {"date": timezone.localtime(dup.created_at).strftime("%d/%m/%Y")}
                    verdict.duplicate_of = dup.pk
                else:
                    message = gettext_noop(
                        "Another rights holder of this work already reported this link; it is being handled."
                    )
                refuse(verdict, RefusalReason.DUPLICATE, message, None, params)
                continue
            to_take = [a for a in chosen if not _is_active(previous[a])]
            # A link taken down before and seen again comes back without using the quota; one the
            # platform refused is a new request like any other.
            reappeared = {
                a: prev
                for a in to_take
                if (prev := previous[a]) is not None and prev.status in (LinkStatus.REMOVED, LinkStatus.DELISTED)
            }
            counts_on_quota = len(reappeared) < len(to_take)
            if counts_on_quota and usage.accepted >= limit:
                resets = quota_resets_at(now)
                refuse(
                    verdict,
                    RefusalReason.QUOTA,
                    gettext_noop(
                        "Daily limit reached: %(limit)d links a day, none left today. The count resets on %(when)s."
                    ),
                    classification,
                    {"limit": limit, "when": timezone.localtime(resets).strftime("%d/%m/%Y %H:%M")},
                )
                continue
            verdict.outcome = ACCEPTED
            verdict.actions = to_take
            for action in to_take:
                link = _new_link(request, member, work, action, verdict, classification, platform_ids)
                link.status = LinkStatus.ACCEPTED
                link.quota_day = day if counts_on_quota else None
                link.save()
                verdict.link_ids.append(link.pk)
                verdict.recipients.extend(
                    n for n in _recipient_names(classification, action) if n not in verdict.recipients
                )
                events.append(_event(link, EventKind.RECEIVED, "", gettext_noop("Reported by the member."), actor, now))
                earlier = reappeared.get(action)
                if earlier is not None:
                    verdict.reappearance_of = earlier.pk
                    why = gettext_noop("Accepted again: the link had been %(status)s and is back online.")
                    why_params: dict[str, object] = {"status": LinkStatus(earlier.status).label}
                    change_status(
                        earlier,
                        LinkStatus.REAPPEARED,
                        kind=EventKind.NOTE,
                        message=gettext_noop(
                            "Reported again by a rights holder: the link is back online (followed as #%(id)d)."
                        ),
                        params={"id": link.pk},
                        actor=actor,
                        data={"follow_up": link.pk},
                        at=now,
                    )
                else:
                    why = gettext_noop("Accepted: a notice will be sent to %(who)s.")
                    why_params = {"who": ", ".join(_recipient_names(classification, action)) or "—"}
                events.append(
                    _event(
                        link,
                        EventKind.ACCEPTED,
                        LinkStatus.ACCEPTED,
                        why,
                        actor,
                        now,
                        {
                            "recipients": _recipient_rows(classification, action),
                            "reappearance_of": earlier.pk if earlier else None,
                        },
                        params=why_params,
                    )
                )
            if counts_on_quota:
                usage.accepted += 1
            verdict.message = _accepted_message(verdict, classification)

        LinkEvent.objects.bulk_create(events)
        usage.save(update_fields=["accepted"])
        request.line_count = len({v.line_no for v in verdicts})
        request.accepted_count = sum(1 for v in verdicts if v.outcome == ACCEPTED)
        request.refused_count = len(verdicts) - request.accepted_count
        request.save(update_fields=["line_count", "accepted_count", "refused_count"])

    return SubmissionResult(
        request=request,
        verdicts=verdicts,
        quota_limit=limit,
        quota_remaining=max(0, limit - usage.accepted),
        quota_resets_at=quota_resets_at(now),
    )


def _new_link(
    request: TakedownRequest,
    member: Member,
    work: Work,
    action: str,
    verdict: LineVerdict,
    classification: linkkit.Classification,
    platform_ids: set[int | str],
) -> ReportedLink:
    canonical = classification.url
    platform_id = classification.platform.platform_id if classification.platform else None
    return ReportedLink(
        request=request,
        member=member,
        work=work,
        action=action,
        submitted_url=verdict.text[:8192],
        url=canonical.url,
        identity_key=canonical.identity_key[:2048],
        file_key=(canonical.file_key or "")[:512],
        host=canonical.host,
        registrable_domain=canonical.registrable_domain,
        platform_id=platform_id if platform_id in platform_ids and isinstance(platform_id, int) else None,
        unwrapped_from=classification.unwrapped_from or "",
        shortener=classification.flag == linkkit.FLAG_SHORTENER,
        recipients=_recipient_rows(classification, action),
        line_number=verdict.line_no,
    )


def _accepted_message(verdict: LineVerdict, classification: linkkit.Classification) -> str:
    parts = [
        ngettext("Accepted: %(actions)s.", "Accepted: %(actions)s.", len(verdict.actions))
        % {"actions": ", ".join(str(Action(a).label) for a in verdict.actions)}
    ]
    if verdict.recipients:
        parts.append(_("The notice goes to %(who)s.") % {"who": ", ".join(verdict.recipients)})
    if classification.unwrapped_from:
        parts.append(
            _("Taken from a %(engine)s result: the target page is reported.")
            % {"engine": linkkit.display_name(classification.unwrapped_from)}
        )
    if classification.flag == linkkit.FLAG_SHORTENER:
        parts.append(_("This is a short link: the society will find where it leads before acting."))
    if verdict.reappearance_of:
        parts.append(_("It had been taken down before; it does not count against your daily limit."))
    return " ".join(parts)


_LINK_ERROR_MESSAGES = {
    "empty": gettext_noop("This line is empty."),
    "not_a_url": gettext_noop("This is not a web address."),
    "unsupported_scheme": gettext_noop("Only web addresses (http or https) can be reported."),
    "no_host": gettext_noop("This address names no site."),
    "private_address": gettext_noop("This address points to a private network, not to a public site."),
    "too_long": gettext_noop("This address is longer than 8 KB; no site uses such addresses."),
}


def _link_error_message(exc: linkkit.LinkError) -> str:
    return _(_LINK_ERROR_MESSAGES.get(exc.code, "This is not a web address."))


# --- Status changes and results ---------------------------------------------------------------


def change_status(
    link: ReportedLink,
    to_status: str,
    *,
    kind: str,
    message: str = "",
    actor: User | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
    params: dict[str, object] | None = None,
) -> LinkEvent:
    """Move a link to ``to_status`` and record why. The one way any app changes a link's status.

    ``message`` is the English source text (mark it with ``gettext_noop``) and ``params`` fill
    its placeholders: it is translated when shown (``LinkEvent.display_message``), in the reader's
    language rather than the writer's.
    """
    if to_status not in LinkStatus.values:
        raise ValueError(f"unknown status {to_status!r}")
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        event = LinkEvent.objects.create(
            link=locked,
            at=at or timezone.now(),
            kind=kind,
            actor=actor,
            from_status=locked.status,
            to_status=to_status,
            message=message,
            data={**(data or {}), **message_params(params)},
        )
        if locked.status != to_status:
            locked.status = to_status
            locked.save(update_fields=["status", "updated_at"])
        link.status = to_status
    return event


def change_status_many(
    link_ids: Sequence[int],
    to_status: str,
    *,
    kind: str,
    message: str = "",
    actor: User | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
    only_from: Collection[str] | None = None,
    params: dict[str, object] | None = None,
) -> int:
    """``change_status`` for many links at once: one lock query, one insert, one update.

    Links whose status is not in ``only_from`` (when given) keep it but still get the event.
    Returns the number of links whose status changed.
    """
    if to_status not in LinkStatus.values:
        raise ValueError(f"unknown status {to_status!r}")
    at = at or timezone.now()
    stored = {**(data or {}), **message_params(params)}
    with transaction.atomic():
        rows = list(
            ReportedLink.objects.select_for_update().filter(pk__in=link_ids).order_by("pk").values_list("pk", "status")
        )
        changed = [pk for pk, status in rows if status != to_status and (only_from is None or status in only_from)]
        moving = set(changed)
        LinkEvent.objects.bulk_create(
            LinkEvent(
                link_id=pk,
                at=at,
                kind=kind,
                actor=actor,
                from_status=status,
                to_status=to_status if pk in moving else status,
                message=message,
                data=stored,
            )
            for pk, status in rows
        )
        if changed:
            ReportedLink.objects.filter(pk__in=changed).update(status=to_status, updated_at=timezone.now())
    return len(changed)


def send_result_digests(now: dt.datetime | None = None) -> int:
    """E-mail each member the results recorded since their last digest; at most one e-mail a day.

    Returns the number of e-mails sent. Safe to run as often as wanted (the unique
    (member, day) row is written in the same transaction as the send).
    """
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    from sentinelle.takedowns.models import FINAL_STATUSES, ResultDigest

    now = now or timezone.now()
    day = quota_day(now)
    sent = 0
    pending = (
        LinkEvent.objects.filter(
            to_status__in=FINAL_STATUSES, kind__in=[EventKind.RESULT, EventKind.ANSWER, EventKind.CHECK]
        )
        .exclude(from_status__in=FINAL_STATUSES)
        .filter(at__lte=now)
        .values_list("link__member_id", flat=True)
        .distinct()
    )
    for member_id in list(pending):
        member = Member.objects.select_related("user").get(pk=member_id)
        last = member.result_digests.order_by("-covered_until").first()
        if last is not None and last.day == day:
            continue
        events = list(
            LinkEvent.objects.filter(link__member=member, to_status__in=FINAL_STATUSES, at__lte=now)
            .exclude(from_status__in=FINAL_STATUSES)
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
            with translation.override(member.user.language or settings.LANGUAGE_CODE):
                context = {"member": member, "events": events, "society": settings.SENTINELLE_SOCIETY}
                subject = _("Results of your takedown requests (%(count)d)") % {"count": len(events)}
                body = render_to_string("takedowns/email/result_digest.txt", context)
            message = EmailMultiAlternatives(subject=subject, body=body, to=[member.user.email])
            message.send()
        sent += 1
    return sent
