"""LinkCheck: one row per fetch of a reported link (every attempt is a row)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sentinelle.takedowns.models import ReportedLink


class Verdict(models.TextChoices):
    REMOVED = "removed", _("removed")
    STILL_ONLINE = "still_online", _("still online")
    UNREACHABLE = "unreachable", _("unreachable")
    INCONCLUSIVE = "inconclusive", _("inconclusive")


class LinkCheck(models.Model):
    link = models.ForeignKey(ReportedLink, on_delete=models.PROTECT, related_name="checks", verbose_name=_("link"))
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    url = models.TextField(_("fetched address"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    final_url = models.TextField(_("final address"), blank=True)
    redirects = models.PositiveSmallIntegerField(_("redirects"), default=0)
    bytes_read = models.PositiveIntegerField(_("bytes read"), default=0)
    truncated = models.BooleanField(_("body cut at the size cap"), default=False)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    rule = models.CharField(_("rule"), max_length=120, help_text=_("The rule that decided the verdict."))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["link", "-checked_at"], name="checks_link_latest")]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {self.verdict} ({self.rule})"


class LinkSchedule(models.Model):
    """When a followed link is next fetched, and which worker holds it meanwhile.

    A cache of what the link's events and checks imply (``services.next_check_at``): refreshed
    after every check of the link and by the pass that reads new LinkEvents (a notice sent, an
    answer, a status change made elsewhere), so finding the due links is a range scan of
    ``next_check_at``. ``leased_until`` is set when a worker claims the row; a crashed worker's
    claim lapses with it.
    """

    link = models.OneToOneField(
        ReportedLink, on_delete=models.CASCADE, primary_key=True, related_name="check_schedule", verbose_name=_("link")
    )
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)
    leased_until = models.DateTimeField(_("claimed by a worker until"), null=True, blank=True)
    # What the plan was computed from (escalation reads these to pick its candidates).
    notice_at = models.DateTimeField(_("latest notice at"), null=True, blank=True)
    last_check_at = models.DateTimeField(_("last check at"), null=True, blank=True)
    last_verdict = models.CharField(_("last verdict"), max_length=16, choices=Verdict.choices, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("link check schedule")
        verbose_name_plural = _("link check schedules")
        indexes = [models.Index(fields=["next_check_at"], name="checks_schedule_due")]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.next_check_at or '-'}"


class ScheduleCursor(models.Model):
    """One row: up to when LinkEvents have been read into the schedules (see ``sync_schedules``)."""

    synced_until = models.DateTimeField(_("events read up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("check schedule cursor")
        verbose_name_plural = _("check schedule cursors")

    def __str__(self) -> str:
        return f"{self.synced_until or '-'}"
