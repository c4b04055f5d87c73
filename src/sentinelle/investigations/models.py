"""Pirate-site dossiers: the site and its domains, evidence captures, the chain of custody, damages.

Evidence rows and custody events are records for a court: nothing here is ever deleted (PROTECT
everywhere), a capture's files are write-once in the content-addressed store (``storage.py``), and
custody events are append-only (``CustodyEvent.save`` refuses an update, the database refuses one
too: see migration 0002).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteStatus(models.TextChoices):
    WATCH = "watch", _("under watch")
    NOTIFIED = "notified", _("notified")
    BLOCKED = "blocked", _("blocked by court order")
    CLOSED = "closed", _("closed")


class Site(models.Model):
    """A pirate site: one dossier, grouping the domains it has used."""

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=SiteStatus.choices, default=SiteStatus.WATCH)
    operator_notes = models.TextField(_("notes on its operators"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site dossier")
        verbose_name_plural = _("site dossiers")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class DomainRelation(models.TextChoices):
    ORIGINAL = "original", _("original")
    MIRROR = "mirror", _("mirror")
    SUCCESSOR = "successor", _("successor")


class SiteDomain(models.Model):
    """A registrable domain of a site. A domain belongs to one dossier at most."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="domains", verbose_name=_("site"))
    domain = models.CharField(_("domain"), max_length=255, unique=True)
    relation = models.CharField(
        _("relation"), max_length=12, choices=DomainRelation.choices, default=DomainRelation.ORIGINAL
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("site domain")
        verbose_name_plural = _("site domains")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.domain


class MirrorReason(models.TextChoices):
    SAME_ADDRESS = "same_address", _("same IP address")
    SAME_NETWORK = "same_network", _("same network")
    SAME_TITLE = "same_title", _("same page title")
    SAME_FAVICON = "same_favicon", _("same favicon")
    REDIRECT = "redirect", _("redirects to or from the site")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class MirrorSuggestion(models.Model):
    """A domain that may be the same site, and why; the investigator accepts or rejects it."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="suggestions")
    domain = models.CharField(_("domain"), max_length=255)
    reason = models.CharField(_("reason"), max_length=16, choices=MirrorReason.choices)
    detail = models.CharField(_("shared value"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mirror suggestion")
        verbose_name_plural = _("mirror suggestions")
        ordering = ["status", "domain", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["site", "domain", "reason"], name="mirror_suggestion_once_per_reason")
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({self.reason})"


class CaptureStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    FETCHING = "fetching", _("fetching the page")
    SCREENSHOT = "screenshot", _("taking the screenshot")
    SEALING = "sealing", _("hashing, signing and time-stamping")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


PENDING_CAPTURE_STATUSES = (
    CaptureStatus.QUEUED,
    CaptureStatus.FETCHING,
    CaptureStatus.SCREENSHOT,
    CaptureStatus.SEALING,
)


class Evidence(models.Model):
    """One capture of one URL: the HTTP exchange (WARC), a screenshot, a signed manifest."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("site"))
    url = models.TextField(_("address"))
    domain = models.CharField(_("domain"), max_length=255, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("captured by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CaptureStatus.choices, default=CaptureStatus.QUEUED, db_index=True
    )
    captured_at = models.DateTimeField(_("captured at (UTC)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    final_url = models.TextField(_("final address"), blank=True)
    final_domain = models.CharField(_("final domain"), max_length=255, blank=True, db_index=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    peer_address = models.CharField(_("server address"), max_length=45, blank=True, db_index=True)
    page_title = models.CharField(_("page title"), max_length=500, blank=True)
    favicon_sha256 = models.CharField(_("favicon SHA-256"), max_length=64, blank=True, db_index=True)
    redirect_chain = models.JSONField(_("redirects"), default=list, blank=True)
    screenshot_note = models.TextField(_("screenshot"), blank=True, help_text=_("Why there is no screenshot."))
    manifest = models.TextField(_("manifest"), blank=True, help_text=_("The signed manifest, byte for byte."))
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    signature = models.CharField(_("Ed25519 signature"), max_length=200, blank=True)
    key_fingerprint = models.CharField(_("signing key"), max_length=64, blank=True)
    timestamp_token = models.BinaryField(_("RFC 3161 token"), null=True, blank=True)
    timestamped_at = models.DateTimeField(_("time-stamped at"), null=True, blank=True)
    timestamp_note = models.TextField(_("time-stamp"), blank=True, help_text=_("Why there is no time-stamp."))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_CAPTURE_STATUSES


class EvidenceFile(models.Model):
    """A file of a capture, kept in the content-addressed store under its SHA-256."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(_("name"), max_length=100)
    media_type = models.CharField(_("media type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["evidence", "name"]
        constraints = [models.UniqueConstraint(fields=["evidence", "name"], name="evidence_file_unique_name")]

    def __str__(self) -> str:
        return f"{self.evidence_id}/{self.name}"


class CustodyAction(models.TextChoices):
    OPENED = "opened", _("dossier opened")
    CAPTURED = "captured", _("evidence captured")
    VIEWED = "viewed", _("evidence viewed")
    DOWNLOADED = "downloaded", _("evidence downloaded")
    EXPORTED = "exported", _("dossier exported")
    TRANSFERRED = "transferred", _("evidence transferred")


class AppendOnlyQuerySet(models.QuerySet["CustodyEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Custody events are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("Custody events are append-only")


class CustodyEvent(models.Model):
    """Who did what with the evidence, when and why. Append-only and hash-chained per dossier.

    ``hash`` is the SHA-256 of the event's canonical JSON (``chain.canonical``), which holds the
    previous event's hash: editing or deleting an event breaks every hash after it.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="custody_events")
    seq = models.PositiveIntegerField(_("number"))
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("who"), max_length=300)
    action = models.CharField(_("what"), max_length=12, choices=CustodyAction.choices)
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="custody")
    subject = models.CharField(_("object"), max_length=500)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["site", "seq"]
        constraints = [models.UniqueConstraint(fields=["site", "seq"], name="custody_event_unique_seq")]

    def __str__(self) -> str:
        return f"{self.site_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Custody events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Custody events are append-only")


class DamageAssessment(models.Model):
    """One estimate of the damage a site caused, with every input and its source (docs/damages.md)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="damage_assessments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # {input name: {"value": number as text, "source": text}}: see damages.INPUTS.
    inputs = models.JSONField(_("inputs"))
    low_eur = models.DecimalField(_("low (EUR)"), max_digits=18, decimal_places=2)
    central_eur = models.DecimalField(_("central (EUR)"), max_digits=18, decimal_places=2)
    high_eur = models.DecimalField(_("high (EUR)"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("damage assessment")
        verbose_name_plural = _("damage assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site} {self.central_eur} EUR"
