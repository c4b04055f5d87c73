"""Daily roll-ups: the figures of the dashboards, pre-counted per local day.

Derived data only: ``stats.services`` is their one writer, ``refresh_rollups`` keeps them current
and ``rebuild_rollups`` makes them again from the links, notices and answers (which stay the
truth). A "day" is a calendar day in ``SENTINELLE_TIME_ZONE``.

Three families:

* **cohort tables** (``MemberDay``, ``PlatformDay``) count the links *reported* on a day, by what
  became of them since (their outcome now). When a link's status changes, its report day is
  counted again.
* **derived tables** (``PlatformMonth``, ``ActiveDay``) re-count the cohort tables' rows in a
  coarser or narrower shape, in the same transaction, so that a long period reads few rows.
* **event tables** (``NoticeDay``, ``EventDay``) count what *happened* on a day: notices sent,
  answers received, reappearances seen.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform


class MemberDay(models.Model):
    """A member's links reported on ``day``, per work, platform, action, outcome and time to removal."""

    day = models.DateField(_("day"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="+")
    platform_kind = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10)
    outcome = models.CharField(max_length=16)
    # Whole hours (rounded down) from the report to the first removal; null when never removed.
    hours_to_removal = models.PositiveIntegerField(null=True)
    links = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member day")
        verbose_name_plural = _("member days")
        # Covering indexes (PostgreSQL; other databases get the plain index): a dashboard reads
        # these columns from the index alone, not from rows scattered over the table.
        indexes = [
            models.Index(
                fields=["member", "day"],
                include=["work", "platform", "outcome", "hours_to_removal", "links"],
                name="stats_memberday_member_cover",
            ),
            models.Index(
                fields=["day"],
                include=["member", "platform", "platform_kind", "action", "outcome"],
                name="stats_memberday_day_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} member {self.member_id}: {self.links} {self.outcome}"


# PlatformCounts' columns: what the covering indexes of PlatformDay and PlatformMonth carry.
PLATFORM_COUNTERS = [
    "platform",
    "platform_kind",
    "action",
    "outcome",
    "notified",
    "answered",
    "days_to_removal",
    "links",
]


class PlatformCounts(models.Model):
    """The counters ``PlatformDay`` and ``PlatformMonth`` share: links per platform and fate."""

    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="+")
    platform_kind = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10)
    outcome = models.CharField(max_length=16)
    notified = models.BooleanField(default=False)  # a notice citing it was delivered
    answered = models.BooleanField(default=False)  # the recipient answered about it
    # Whole days (rounded down) from the report to the first removal; null when never removed.
    days_to_removal = models.PositiveIntegerField(null=True)
    links = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PlatformDay(PlatformCounts):
    """Every member's links reported on ``day``, per platform: the society's cohort figures."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("platform day")
        verbose_name_plural = _("platform days")
        indexes = [
            models.Index(
                fields=["day"],
                include=PLATFORM_COUNTERS,
                name="stats_platformday_day_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} platform {self.platform_id}: {self.links} {self.outcome}"


class PlatformMonth(PlatformCounts):
    """``PlatformDay`` summed per calendar month (``month`` is its first day): what a period's whole
    months read, so that twelve months are twelve rows per combination, not 365."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("platform month")
        verbose_name_plural = _("platform months")
        indexes = [
            models.Index(
                fields=["month"],
                include=PLATFORM_COUNTERS,
                name="stats_platformmonth_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} platform {self.platform_id}: {self.links} {self.outcome}"


class ActiveDay(models.Model):
    """A member's accepted links reported on ``day`` per platform and action (no work, no outcome):
    the society's "members active" and links per week, from a table ten times narrower than
    ``MemberDay``."""

    day = models.DateField(_("day"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="+")
    platform_kind = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10)
    links = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("active day")
        verbose_name_plural = _("active days")
        indexes = [
            models.Index(
                fields=["day"],
                include=["member", "platform", "platform_kind", "action", "links"],
                name="stats_activeday_day_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} member {self.member_id}: {self.links} links"


class NoticeDay(models.Model):
    """Notices delivered on ``day`` (and the links they cite), per recipient, regime and channel."""

    day = models.DateField(_("day"))
    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="+")
    platform_kind = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10)
    regime = models.CharField(max_length=4)
    channel = models.CharField(max_length=16)
    notices = models.PositiveIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("notice day")
        verbose_name_plural = _("notice days")
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} platform {self.platform_id}: {self.notices} notices"


class EventKind(models.TextChoices):
    ANSWER_ACTIONED = "answer_actioned", _("answers: actioned")
    ANSWER_REFUSED = "answer_refused", _("answers: refused")
    COUNTER_NOTICE = "counter_notice", _("counter-notices")
    REAPPEARED = "reappeared", _("reappearances")


class EventDay(models.Model):
    """Answers, counter-notices and reappearances on ``day``, per platform."""

    day = models.DateField(_("day"))
    platform = models.ForeignKey(Platform, null=True, on_delete=models.SET_NULL, related_name="+")
    platform_kind = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event day")
        verbose_name_plural = _("event days")
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} platform {self.platform_id}: {self.count} {self.kind}"


class RollupState(models.Model):
    """One row: how far ``refresh_rollups`` has read (the highest ids it has counted)."""

    last_event_id = models.BigIntegerField(default=0)
    last_link_id = models.BigIntegerField(default=0)
    last_answer_id = models.BigIntegerField(default=0)
    last_attempt_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up state")

    def __str__(self) -> str:
        return f"refreshed at {self.refreshed_at}"
