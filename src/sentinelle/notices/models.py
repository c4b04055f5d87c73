"""Notices: what is sent to a recipient about which links, every delivery attempt, every answer.

A ``Notice`` is built once (its text, subject, Message-ID and idempotency key are fixed at build
time and never change) and then delivered through the channel of its recipient. A
``NoticeItem`` ties one reported link to one notice at one escalation level for one recipient;
the unique constraint on (link, level, recipient) is what makes building idempotent and
race-safe. Every delivery attempt is a ``DeliveryAttempt`` row, committed *before* anything
leaves the machine (see docs/notices.md, "Exactly once").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.identifiers import normalise_society_code
from sentinelle.platforms.models import Platform
from sentinelle.takedowns.models import Action, ReportedLink


class Regime(models.TextChoices):
    EU = "eu", _("European Union (DSA art. 16, French Intellectual Property Code)")
    US = "us", _("United States (17 U.S.C. §512)")


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    HTTPS = "https", _("HTTPS endpoint")
    BULK_FILE = "bulk_file", _("search-engine bulk file")
    WEB_FORM = "web_form", _("web form (by hand)")
    NONE = "none", _("no known channel")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft (held)")
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    ANSWERED = "answered", _("answered")
    BOUNCED = "bounced", _("bounced (the address refused it)")
    DISCARDED = "discarded", _("discarded (its links released)")


# A notice in one of these states has never been in a recipient's hands for sure; staff may discard it
# (services.discard_notice also checks that no attempt may have reached the recipient).
DISCARDABLE_STATUSES = (NoticeStatus.DRAFT, NoticeStatus.FAILED)


class Notice(models.Model):
    recipient_platform = models.ForeignKey(
        Platform,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # a platform with notices is deactivated, never deleted
        related_name="notices",
        verbose_name=_("recipient platform"),
    )
    # A snapshot: what the notice was addressed to when it was built, whatever the registry says later.
    recipient_key = models.CharField(_("recipient key"), max_length=300, db_index=True)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_domain = models.CharField(_("recipient domain"), max_length=255, blank=True)
    recipient_email = models.EmailField(_("recipient e-mail"), blank=True)
    recipient_endpoint = models.URLField(_("recipient endpoint"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    regime = models.CharField(_("legal regime"), max_length=4, choices=Regime.choices)
    language = models.CharField(_("language"), max_length=4, choices=Language.choices)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT, db_index=True
    )
    hold_reason = models.TextField(_("why it is held or failed"), blank=True)
    # Why a draft is held, as a code and its parameters (routing.HOLD_MESSAGES), shown in the reader's language.
    hold_code = models.CharField(_("held because"), max_length=32, blank=True, db_index=True)
    hold_params = models.JSONField(_("held because (details)"), default=dict, blank=True)
    # How the recipient was chosen (notices/routing.py): role, where its contact came from, when.
    route = models.JSONField(_("route"), default=dict, blank=True)
    sender = models.JSONField(
        _("sender"), default=dict, help_text=_("The society as it stood when the notice was built.")
    )
    dated = models.DateField(_("dated"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    # The Message-IDs of the first notices about these links (a reminder or an escalation replies
    # to them: In-Reply-To and References), fixed at build time like the rest of the text.
    thread_message_ids = models.JSONField(_("in reply to"), default=list, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    # A worker died after handing the notice over, before the recipient's reply: it may or may not
    # have it. It is resent with the same Message-ID, reference and idempotency key (a recognisable
    # duplicate rather than a silent loss), and staff see it in their work queue.
    resent_after_unknown_outcome = models.BooleanField(
        _("resent after an unknown outcome"), default=False, db_index=True
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(
        _("claimed until"),
        null=True,
        blank=True,
        help_text=_("While sending: after this moment a worker is presumed dead and the notice is re-checked."),
    )
    created_at = models.DateTimeField(_("built at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("discarded by"),
    )
    discard_reason = models.TextField(_("why it was discarded"), blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.recipient_name} ({self.get_action_display()}, {self.regime.upper()})"

    @property
    def is_done(self) -> bool:
        return self.status in (
            NoticeStatus.DELIVERED,
            NoticeStatus.ANSWERED,
            NoticeStatus.FAILED,
            NoticeStatus.BOUNCED,
            NoticeStatus.DISCARDED,
        )


class NoticeItem(models.Model):
    # No index of its own: the unique (notice, link) index below starts with it and serves every
    # lookup by notice (one index less to write per item: a building pass writes millions).
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items", db_index=False)
    link = models.ForeignKey(ReportedLink, on_delete=models.PROTECT, related_name="notice_items")
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"))
    recipient_key = models.CharField(_("recipient key"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)
    url = models.TextField(_("address"))
    site = models.CharField(_("site"), max_length=255)
    work_title = models.CharField(_("work"), max_length=200)
    work_iswc = models.CharField(_("ISWC"), max_length=15, blank=True)
    rights_holders = models.JSONField(_("rights holders"), default=list)
    # Copied from the notice when staff discard it, so that the constraint below (which cannot look
    # at the notice's status) lets the builder put the link into a new notice; the row stays as a record.
    discarded = models.BooleanField(_("discarded"), default=False)

    class Meta:
        verbose_name = _("notice item")
        verbose_name_plural = _("notice items")
        ordering = ["notice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "link"], name="notice_item_unique_link"),
            # A link is notified once per level and recipient: two builders racing build it once.
            # Items of a discarded notice no longer count (a partial unique index on both databases).
            models.UniqueConstraint(
                fields=["link", "escalation_level", "recipient_key"],
                condition=models.Q(discarded=False),
                name="notice_item_once_per_level_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class ParkedLink(models.Model):
    """A link held in a draft for want of a contact: the builder skips it until its recipient gets one.

    ``notices.services.release_held`` deletes the rows of a recipient when a contact is given or
    found (the links are then built again, with the routing as it stands); a link escalated past
    ``escalation_level`` is due again whatever the row says.
    """

    link = models.OneToOneField(ReportedLink, on_delete=models.CASCADE, primary_key=True, related_name="parked")
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"))
    recipient_key = models.CharField(_("recipient key"), max_length=300, db_index=True)
    recipient_domain = models.CharField(_("recipient domain"), max_length=255, db_index=True)
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="parked_links")
    parked_at = models.DateTimeField(_("parked at"))

    class Meta:
        verbose_name = _("link waiting for a contact")
        verbose_name_plural = _("links waiting for a contact")

    def __str__(self) -> str:
        return f"{self.link_id} → {self.recipient_key}"


class AttemptOutcome(models.TextChoices):
    STARTED = "started", _("started (outcome unknown)")
    COMMITTING = "committing", _("message handed over, awaiting the server's reply")
    DELIVERED = "delivered", _("delivered")
    RECOVERED = "recovered", _("delivered (recovered after a worker crash, unconfirmed)")
    TEMPORARY_FAILURE = "temporary_failure", _("temporary failure (will retry)")
    PERMANENT_FAILURE = "permanent_failure", _("permanent failure")
    ABANDONED = "abandoned", _("abandoned (worker died before sending)")
    RELEASED = "released", _("not tried: the worker was stopping (queued again)")
    UNKNOWN = "unknown", _("outcome unknown (worker died after the hand-over): resent")


class DeliveryAttempt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AttemptOutcome.choices)
    response_excerpt = models.TextField(_("response (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    handed_over = models.BooleanField(
        _("passed the point of no return"),
        default=False,
        help_text=_("The channel reached the moment after which the recipient may have the notice."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Staff member who recorded a delivery made by hand (bulk file, web form)."),
    )

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["notice", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="delivery_attempt_unique_number")]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.number} {self.outcome}"


class Decision(models.TextChoices):
    ACTIONED = "actioned", _("actioned (removed or delisted)")
    REFUSED = "refused", _("refused")
    COUNTER_NOTICE = "counter_notice", _("counter-notice")


class RecipientAnswer(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(NoticeItem, on_delete=models.CASCADE, related_name="answers")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    counter_notice = models.TextField(_("counter-notice"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    via_token = models.ForeignKey(
        "PlatformApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("recipient answer")
        verbose_name_plural = _("recipient answers")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.decision}"


class PlatformApiToken(models.Model):
    """A platform's key for the answer API; only its SHA-256 is stored."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="notice_api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("platform API token")
        verbose_name_plural = _("platform API tokens")

    def __str__(self) -> str:
        return f"{self.platform} {self.prefix}…"


class PlatformSigningKey(models.Model):
    """A shared secret an HTTPS endpoint uses to verify our Standard Webhooks signature (``whsec_`` + base64).

    A platform may hold several: every key not revoked signs each notice, and the
    ``webhook-signature`` header lists one ``v1,…`` signature per key (space-separated, the
    specification's way to carry several), so a key is rotated without a gap: add the new key,
    let the endpoint learn it, then revoke the old one.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="notice_signing_keys")
    name = models.CharField(_("name"), max_length=100, blank=True)
    secret = models.CharField(_("secret"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, help_text=_("From this moment the key no longer signs notices.")
    )

    class Meta:
        verbose_name = _("platform signing key")
        verbose_name_plural = _("platform signing keys")
        ordering = ["platform", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.platform} {self.name or self.pk}"

    def active_at(self, moment: dt.datetime) -> bool:
        return self.created_at <= moment and (self.revoked_at is None or self.revoked_at > moment)


class ReciprocalSociety(models.Model):
    """A society with which ours has a reciprocal representation agreement (staff keep the list).

    The parties a CWR record affiliates with one of these societies (its PR, MR or SR society code),
    or with our own (``SENTINELLE_SOCIETY_CISAC_CODE``), are those a notice names as represented.
    """

    code = models.CharField(
        _("CISAC society code"), max_length=3, unique=True, help_text=_("As CWR writes it: 052 for PRS, 010 for ASCAP…")
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2."))
    note = models.TextField(_("note"), blank=True, help_text=_("The agreement: its scope, its date, its reference."))
    active = models.BooleanField(_("in force"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reciprocal society")
        verbose_name_plural = _("reciprocal societies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = normalise_society_code(self.code)
        super().save(*args, **kwargs)


class LumenState(models.TextChoices):
    QUEUED = "queued", _("queued")
    POSTING = "posting", _("posting")
    POSTED = "posted", _("posted")
    FAILED = "failed", _("failed")


class LumenSubmission(models.Model):
    """A delivered notice's copy for the Lumen database: one per notice, posted by a task."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="lumen_submission")
    state = models.CharField(_("state"), max_length=8, choices=LumenState.choices, default=LumenState.QUEUED)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    lumen_id = models.CharField(_("Lumen notice id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Lumen submission")
        verbose_name_plural = _("Lumen submissions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.state}"


class LumenAttempt(models.Model):
    """One POST of a notice to Lumen (every attempt is a row)."""

    submission = models.ForeignKey(LumenSubmission, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AttemptOutcome.choices)
    response_excerpt = models.TextField(_("response (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("Lumen attempt")
        verbose_name_plural = _("Lumen attempts")
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="lumen_attempt_unique_number")]

    def __str__(self) -> str:
        return f"{self.submission_id} #{self.number} {self.outcome}"
