from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.identifiers import IdentifierError, format_iswc, normalise_isrc, normalise_iswc
from sentinelle.members.models import Member, validate_ipi_name_number


def validate_iswc(value: str) -> None:
    try:
        normalise_iswc(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


def validate_isrc(value: str) -> None:
    try:
        normalise_isrc(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


def sort_title(title: str) -> str:
    """The key the member's catalogue is sorted by: the title in capitals (case-insensitive order)."""
    return title.upper()[:200]


class Work(models.Model):
    """A musical work registered with the society."""

    title = models.CharField(_("title"), max_length=200, db_index=True)
    iswc = models.CharField(_("ISWC"), max_length=11, unique=True, null=True, blank=True, validators=[validate_iswc])
    work_code = models.CharField(
        _("society work code"),
        # CWR imports scope the submitter's work number by its sender: "09000000020:DMP000001".
        max_length=40,
        unique=True,
        help_text=_("The submitter's work number (CWR) or the society's own code."),
    )
    language = models.CharField(_("language"), max_length=2, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True, help_text=_("The file it was imported from."))
    authorised_example_url = models.URLField(
        _("authorised example URL"),
        max_length=500,
        blank=True,
        help_text=_("Where the work is offered lawfully (a licensed service's page): search engines ask for one."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The interests carry the title's sort key (Interest.sort_title): a new title moves them.
        key = sort_title(self.title)
        self.interests.exclude(sort_title=key).update(sort_title=key)

    @property
    def identifier(self) -> str:
        """What tells two works of one title apart: the ISWC, else the society's work code."""
        return self.iswc_display or self.work_code

    @property
    def label(self) -> str:
        """The title with its identifier, wherever a title alone could name two works."""
        return f"{self.title} ({self.identifier})" if self.identifier else self.title

    def clean(self) -> None:
        super().clean()
        if self.iswc:
            # A bad ISWC has been reported by the field's validator already.
            with contextlib.suppress(IdentifierError):
                self.iswc = normalise_iswc(self.iswc)
        else:
            self.iswc = None

    @property
    def iswc_display(self) -> str:
        return format_iswc(self.iswc) if self.iswc else ""


class AlternateTitle(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="alternate_titles")
    title = models.CharField(_("title"), max_length=200, db_index=True)
    title_type = models.CharField(
        _("title type"), max_length=2, blank=True, help_text=_("CWR title type (AT, TE, FT…)")
    )
    language = models.CharField(_("language"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("alternate title")
        verbose_name_plural = _("alternate titles")
        constraints = [models.UniqueConstraint(fields=["work", "title"], name="alt_title_unique_per_work")]

    def __str__(self) -> str:
        return self.title


class Recording(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="recordings")
    isrc = models.CharField(_("ISRC"), max_length=12, blank=True, validators=[validate_isrc])
    performer = models.CharField(_("performer"), max_length=200, blank=True)
    title = models.CharField(_("recording title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        constraints = [
            models.UniqueConstraint(fields=["work", "isrc", "performer"], name="recording_unique_per_work"),
        ]

    def __str__(self) -> str:
        return self.isrc or self.title or self.performer


class PartyKind(models.TextChoices):
    WRITER = "writer", _("writer")
    PUBLISHER = "publisher", _("publisher")


class Party(models.Model):
    """A writer or publisher as named in a registration (CWR SWR/OWR, SPU/OPU).

    Matched to a Member by IPI name number; an unmatched party is kept so that
    a later member registration can claim it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=PartyKind.choices)
    interested_party_number = models.CharField(
        # CWR imports scope the submitter's IP # by its sender: "09000000020:W000001".
        _("submitter's party number"),
        max_length=40,
        help_text=_("The CWR interested party #."),
    )
    name = models.CharField(_("name"), max_length=200)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    ipi_name_number = models.CharField(
        _("IPI name number"), max_length=11, blank=True, db_index=True, validators=[validate_ipi_name_number]
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="parties", verbose_name=_("member")
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["kind", "interested_party_number"], name="party_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.name}".strip()


class Interest(models.Model):
    """A party's share in a work, with its CWR role. Links the work to a member."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="interests")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="interests")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="interests", verbose_name=_("member")
    )
    role = models.CharField(
        _("CWR role code"), max_length=2, help_text=_("CA, A, C, AR, AD, TR, SA, SR, E, AM, PA, ES…")
    )
    pr_share = models.DecimalField(_("performing share %"), max_digits=6, decimal_places=3, default=0)
    mr_share = models.DecimalField(_("mechanical share %"), max_digits=6, decimal_places=3, default=0)
    sr_share = models.DecimalField(_("synchronisation share %"), max_digits=6, decimal_places=3, default=0)
    # The society each right is affiliated with for this work, as CWR gives it (SPU/SWR: PR, MR and
    # SR affiliation society codes, three digits): who may speak for the party in a notice.
    pr_society = models.CharField(_("performing rights society"), max_length=3, blank=True)
    mr_society = models.CharField(_("mechanical rights society"), max_length=3, blank=True)
    sr_society = models.CharField(_("synchronisation rights society"), max_length=3, blank=True)
    # The work's title in capitals (``sort_title``), copied here so that a member's catalogue is
    # one range of the (member, sort_title, work) index: a page reads its 25 rows in order instead
    # of sorting all the member's works. Set by save() and by the importer; Work.save() moves it.
    sort_title = models.CharField(_("sort title"), max_length=200, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [
            models.UniqueConstraint(fields=["work", "party", "role"], name="interest_unique"),
        ]
        indexes = [models.Index(fields=["member", "sort_title", "work"], name="interest_member_sort_title")]

    def __str__(self) -> str:
        return f"{self.party} — {self.work} ({self.role})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_title = sort_title(self.work.title)
        super().save(*args, **kwargs)
