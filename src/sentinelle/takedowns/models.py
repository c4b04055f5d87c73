"""What members report and what becomes of it.

A ``TakedownRequest`` is one submission (one work, one or two actions, many pasted lines).
Each URL line that parses becomes a ``ReportedLink`` per action, accepted or refused; its
``status`` is a cache of its last ``LinkEvent`` — the events are the history, never deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.models import Work
from sentinelle.core.dates import display as display_date
from sentinelle.core.dates import from_iso
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform


class Action(models.TextChoices):
    REMOVE = "remove", _("remove from the site")
    DELIST = "delist", _("delist from search engines")


class LinkStatus(models.TextChoices):
    REFUSED = "refused", _("refused")
    ACCEPTED = "accepted", _("accepted")
    NOTICE_SENT = "notice_sent", _("notice sent")
    REMOVED = "removed", _("removed")
    DELISTED = "delisted", _("delisted")
    STILL_ONLINE = "still_online", _("still online")
    ESCALATED = "escalated", _("escalated")
    REFUSED_BY_PLATFORM = "refused_by_platform", _("refused by the platform")
    COUNTER_NOTICE = "counter_notice", _("counter-notice received")
    REAPPEARED = "reappeared", _("reappeared")
    REMOVAL_ANNOUNCED = "removal_announced", _("removal announced")
    UNVERIFIABLE = "unverifiable", _("unverifiable")
    CLOSED = "closed", _("closed by the society")
    PURSUED = "pursued", _("pursued by the society")


# A link in one of these is still being worked on: a new report of it is a duplicate. A
# counter-notice is final for its notice (the society decides whether to pursue), and an
# unverifiable link waits for staff: neither blocks a later report.
ACTIVE_STATUSES: tuple[str, ...] = (
    LinkStatus.ACCEPTED,
    LinkStatus.NOTICE_SENT,
    LinkStatus.STILL_ONLINE,
    LinkStatus.ESCALATED,
    LinkStatus.REAPPEARED,
    LinkStatus.REMOVAL_ANNOUNCED,
)
FINAL_STATUSES: tuple[str, ...] = (
    LinkStatus.REMOVED,
    LinkStatus.DELISTED,
    LinkStatus.REFUSED_BY_PLATFORM,
    LinkStatus.COUNTER_NOTICE,
    LinkStatus.UNVERIFIABLE,
    LinkStatus.CLOSED,
    LinkStatus.PURSUED,
)
# The changes a member is told of in the daily digest (besides every escalation step).
DIGEST_STATUSES: tuple[str, ...] = (*FINAL_STATUSES, LinkStatus.REAPPEARED, LinkStatus.REMOVAL_ANNOUNCED)


class RefusalReason(models.TextChoices):
    NOT_A_URL = "not_a_url", _("not a web address")
    LICENSED_PLATFORM = "licensed_platform", _("licensed platform")
    DUPLICATE = "duplicate", _("already reported")
    QUOTA = "quota", _("daily limit reached")
    SEARCH_PAGE = "search_page", _("search-engine page")
    TOO_MANY_LINES = "too_many_lines", _("too many lines")


# The escalation levels of a link (``ReportedLink.escalation_level``): checks/escalation.py climbs
# them, notices/routing.py routes each to its recipient.
LEVEL_FIRST, LEVEL_REMINDER, LEVEL_HOSTING, LEVEL_REGISTRAR = 0, 1, 2, 3


class TakedownRequest(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="requests", verbose_name=_("member"))
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="requests", verbose_name=_("work"))
    actions = models.JSONField(_("actions"), default=list)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    accepted_count = models.PositiveIntegerField(_("accepted"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    via_api = models.BooleanField(_("submitted through the API"), default=False)

    class Meta:
        verbose_name = _("takedown request")
        verbose_name_plural = _("takedown requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.work} ({self.created_at:%Y-%m-%d})"


class ReportedLink(models.Model):
    request = models.ForeignKey(TakedownRequest, on_delete=models.PROTECT, related_name="links")
    # member and work: served by the composite indexes below that start with them.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="links", verbose_name=_("member"), db_index=False
    )
    work = models.ForeignKey(
        Work, on_delete=models.PROTECT, related_name="links", verbose_name=_("work"), db_index=False
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    status = models.CharField(_("status"), max_length=24, choices=LinkStatus.choices)
    refusal_reason = models.CharField(_("refusal reason"), max_length=24, choices=RefusalReason.choices, blank=True)
    submitted_url = models.TextField(_("submitted address"))
    url = models.TextField(_("canonical address"))
    # What duplicate detection compares: the content key when the platform has one, else the URL
    # without scheme, "www." and trailing "/" (linkkit.CanonicalURL.identity_key).
    identity_key = models.CharField(_("identity key"), max_length=2048)
    file_key = models.CharField(_("file key"), max_length=512, blank=True)
    content_key = models.CharField(
        _("content key"),
        max_length=512,
        blank=True,
        help_text=_("The content the address shows (a tweet, a post, a file, a torrent), whatever its address form."),
    )
    info_hash = models.CharField(
        _("torrent info-hash"),
        max_length=40,
        blank=True,
        help_text=_("The BitTorrent info-hash of a torrent page, the same on every index that lists it."),
    )
    host = models.CharField(_("host"), max_length=255)
    registrable_domain = models.CharField(_("site"), max_length=255)
    platform = models.ForeignKey(
        # PROTECT: a platform with links is deactivated, never deleted (its links keep naming it).
        Platform,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("platform"),
    )
    unwrapped_from = models.CharField(
        _("unwrapped from"), max_length=64, blank=True, help_text=_("The search engine whose result pointed here.")
    )
    shortener = models.BooleanField(_("shortened address"), default=False)
    # A short link, followed after intake (takedowns.services.shortlinks): where it leads.
    redirect_chain = models.JSONField(
        _("redirect chain"), default=list, blank=True, help_text=_("Each address the short link went through.")
    )
    resolved_url = models.TextField(_("where the short link leads"), blank=True)
    resolved_at = models.DateTimeField(_("short link followed at"), null=True, blank=True)
    resolution_error = models.CharField(_("why the short link was not followed"), max_length=64, blank=True)
    target_link = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="short_links",
        verbose_name=_("link of the target"),
        db_index=False,  # the partial index link_target below: most links have none
    )
    # A numbered torrent page (takedowns.services.torrentpages): when its page was read for the
    # info-hash it shows (the hash itself goes to ``info_hash``; why none was taken, to its history).
    page_read_at = models.DateTimeField(_("torrent page read at"), null=True, blank=True)
    recipients = models.JSONField(_("notice recipients"), default=list)
    duplicate_of = models.ForeignKey(  # the partial index link_duplicate_of below: most links are none's
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("duplicate of"),
        db_index=False,
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        help_text=_(
            "0: first notice; 1: reminder to the same recipient; 2: notice to the hosting provider; "
            "3: notice to the domain's registrar."
        ),
    )
    quota_day = models.DateField(_("counted on the quota of"), null=True, blank=True)
    line_number = models.PositiveIntegerField(_("line"), default=0)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reported link")
        verbose_name_plural = _("reported links")
        ordering = ["-created_at", "-id"]
        # Reviewed with EXPLAIN on every list query (bench/history.py prints the plans and sizes).
        # Plain Index rather than db_index on the text columns: PostgreSQL gets no second
        # varchar_pattern_ops copy, which no query (none uses LIKE on them) would read.
        indexes = [
            # the member's history, newest first, and its keyset pages: (member, created_at, id)
            models.Index(fields=["member", "-created_at", "-id"], name="link_member_history"),
            # … filtered by a site: without it a site the member rarely reported walks all their rows
            models.Index(fields=["member", "registrable_domain", "-created_at", "-id"], name="link_member_site"),
            # duplicates: every lookup names the work and the action (identity key, file key)
            models.Index(fields=["work", "action", "identity_key"], name="link_work_identity"),
            models.Index(fields=["file_key"], condition=~Q(file_key=""), name="link_file_key"),
            models.Index(fields=["content_key"], condition=~Q(content_key=""), name="link_content_key"),
            models.Index(fields=["info_hash"], condition=~Q(info_hash=""), name="link_info_hash"),
            # Foreign keys most links leave empty: an index entry only where set. Each non-partial
            # index costs an entry per new link and per status change (the status is indexed, so a
            # change is never a HOT update): delivery's update of a notice's links wrote eleven a link.
            models.Index(fields=["target_link"], condition=Q(target_link__isnull=False), name="link_target"),
            models.Index(fields=["duplicate_of"], condition=Q(duplicate_of__isnull=False), name="link_duplicate_of"),
            # the notices' and checks' sweeps (status in …), the investigators' site reads
            models.Index(fields=["status"], name="link_status"),
            models.Index(fields=["registrable_domain"], name="link_site"),
            # the notice builder's keyset over the due links (notices.services.build.due_link_chunks):
            # partial, so it holds only the links waiting for a notice, not the millions done
            models.Index(
                fields=["registrable_domain", "identity_key", "id"],
                condition=Q(status__in=["accepted", "escalated"]),
                name="link_due",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class EventKind(models.TextChoices):
    RECEIVED = "received", _("received")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
    NOTICE_SENT = "notice_sent", _("notice sent")
    ANSWER = "answer", _("answer from the recipient")
    CHECK = "check", _("verification")
    ESCALATED = "escalated", _("escalated")
    RESULT = "result", _("final result")
    NOTE = "note", _("note from the society")


class LinkEvent(models.Model):
    """One thing that happened to a link (append-only): who, when, from, to, why."""

    link = models.ForeignKey(ReportedLink, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("at"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    # Indexed only where set (``linkevent_actor``): most events have no actor (deliveries, checks,
    # imports from the command line), and each index entry is written per event.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    from_status = models.CharField(_("from"), max_length=24, choices=LinkStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=LinkStatus.choices, blank=True)
    message = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("link event")
        verbose_name_plural = _("link events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["actor"], condition=models.Q(actor__isnull=False), name="linkevent_actor")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def display_message(self) -> str:
        """The message in the active language: stored as its English source, translated when shown.

        ``data["message_params"]`` fills its placeholders; the params named in
        ``data["message_params_i18n"]`` are English source texts too (a status, a channel) and are
        translated first; those in ``data["message_params_dates"]`` are ISO dates, written in the
        reader's format. Free text (a staff note, old rows saved already translated) has no
        catalogue entry and comes back unchanged.
        """
        if not self.message:
            return ""
        data = self.data if isinstance(self.data, dict) else {}
        params = data.get("message_params")
        text = gettext(self.message)
        if not isinstance(params, dict) or not params:
            return text
        translated = data.get("message_params_i18n") or ()
        dates = data.get("message_params_dates") or ()
        values = {k: gettext(v) if k in translated and isinstance(v, str) else v for k, v in params.items()}
        for key in dates:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                values[key] = display_date(from_iso(str(params[key])))
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            return self.message


def message_params(params: dict[str, object] | None) -> dict[str, object]:
    """The event ``data`` keys holding ``params``: lazy translations are stored as their source text."""
    if not params:
        return {}
    stored: dict[str, object] = {}
    i18n: list[str] = []
    dates: list[str] = []
    for key, value in params.items():
        if isinstance(value, Promise):
            with translation.override(None):
                value = str(value)
            i18n.append(key)
        elif isinstance(value, dt.date):  # a datetime is a date too
            value = value.isoformat()
            dates.append(key)
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            value = str(value)
        stored[key] = value
    out: dict[str, object] = {"message_params": stored}
    if i18n:
        out["message_params_i18n"] = i18n
    if dates:
        out["message_params_dates"] = dates
    return out


def shown_params(params: Mapping[str, object]) -> dict[str, object]:
    """``params`` ready for a message in the active language: dates in the reader's format."""
    return {k: display_date(v) if isinstance(v, dt.date) else v for k, v in params.items()}


class DailyQuotaUsage(models.Model):
    """Accepted links per member per local day: the row the quota locks."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="quota_usage")
    day = models.DateField()
    accepted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="quota_usage_unique_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.day}: {self.accepted}"


class WorkIntake(models.Model):
    """The row every opening of links for a work locks first (``services.links.lock_work``), and
    how many times it was locked (``version``): a staff import that judged a chunk ahead of its
    writing knows by it whether anyone else opened links for the work in between."""

    work = models.OneToOneField(Work, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.work_id}: {self.version}"


class ResultDigest(models.Model):
    """One e-mail to a member summing up the results of the day: at most one per local day."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="result_digests")
    day = models.DateField()
    sent_at = models.DateTimeField()
    covered_until = models.DateTimeField(help_text=_("Results recorded up to this moment are in this digest."))
    result_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("result digest")
        verbose_name_plural = _("result digests")
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="one_digest_per_member_per_day")]

    def __str__(self) -> str:
        return f"{self.member} {self.day}"
