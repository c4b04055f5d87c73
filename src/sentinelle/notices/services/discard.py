"""Discarding a notice that never reached its recipient, so its links are built into a new one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sentinelle.core.errors import DomainError
from sentinelle.members.models import User
from sentinelle.notices.models import (
    DISCARDABLE_STATUSES,
    AttemptOutcome,
    Notice,
    NoticeItem,
    NoticeStatus,
    ParkedLink,
)
from sentinelle.takedowns.models import EventKind, LinkStatus
from sentinelle.takedowns.services import change_status_many

# --- discarding --------------------------------------------------------------------------------


class DiscardError(DomainError):
    """The notice cannot be discarded; nothing changed."""


def _lock_discardable(notice: Notice) -> Notice:
    """The notice's row, locked, or a DiscardError saying why it cannot be discarded."""
    # PostgreSQL: a concurrent claim or re-queue waits for us (SQLite: the write lock does it).
    row = Notice.objects.select_for_update().filter(pk=notice.pk).first()
    if row is None:
        raise DiscardError("not_found", _("This notice does not exist."), 404)
    if row.status not in DISCARDABLE_STATUSES:
        raise DiscardError(
            "not_discardable",
            _("Notice #%(id)s is %(status)s: only a held (draft) or failed notice can be discarded.")
            % {"id": row.pk, "status": NoticeStatus(row.status).label},
            409,
        )
    # An attempt that passed its point of no return and was not refused outright may have
    # reached the recipient (a dropped connection after the final ".", a 5xx, a timeout).
    risky = row.attempts.filter(handed_over=True).exclude(outcome=AttemptOutcome.PERMANENT_FAILURE)
    if risky.exists():
        raise DiscardError(
            "may_have_been_delivered",
            _(
                "Notice #%(id)s may have reached %(recipient)s during an earlier attempt; discarding it "
                "would send the same links again under another reference. Queue it again instead."
            )
            % {"id": row.pk, "recipient": row.recipient_name},
            409,
        )
    return row


def discard_notice(notice: Notice, actor: User | None, reason: str) -> int:
    """Withdraw a held or failed notice that never reached its recipient; its links become due again.

    The notice row, its items and its attempts all stay (status "discarded"); the items stop counting
    for the (link, level, recipient) constraint, so the next ``build_notices`` puts the links into a
    new notice, with the registry as it stands then. Each link gets a note in its history. A notice
    that may be in the recipient's hands is refused: rebuilt, it would reach them a second time
    under another Message-ID and idempotency key (``requeue`` resends it under the same ones).
    Returns the number of links released.
    """
    reason = reason.strip()
    if not reason:
        raise DiscardError("reason_required", _("Say why the notice is discarded."))
    now = timezone.now()
    with transaction.atomic():
        row = _lock_discardable(notice)
        moved = Notice.objects.filter(pk=row.pk, status__in=DISCARDABLE_STATUSES).update(
            status=NoticeStatus.DISCARDED,
            discarded_at=now,
            discarded_by=actor,
            discard_reason=reason[:4000],
            next_attempt_at=None,
            lease_until=None,
        )
        if not moved:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
            raise DiscardError("not_discardable", _("The notice changed meanwhile; try again."), 409)
        NoticeItem.objects.filter(notice=row).update(discarded=True)
        ParkedLink.objects.filter(notice=row).delete()  # its links are due again (services/held.py)
        link_ids = list(row.items.values_list("link_id", flat=True))
        message = gettext_noop("Notice #%(id)s to %(recipient)s was discarded before it was sent (%(reason)s).")
        params: dict[str, object] = {"id": row.pk, "recipient": row.recipient_name, "reason": reason}
        # ``only_from`` empty: every link keeps its status and only gains the note.
        change_status_many(
            link_ids,
            LinkStatus.ACCEPTED,
            kind=EventKind.NOTE,
            message=message,
            params=params,
            actor=actor,
            data={"notice_id": row.pk, "discarded": True, "reason": reason, "recipient": row.recipient_name},
            at=now,
            only_from=(),
        )
    notice.status = NoticeStatus.DISCARDED
    return len(link_ids)
