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
