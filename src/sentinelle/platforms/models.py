"""The platform registry: who a link belongs to, whether the society licenses it, where notices go."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from sentinelle.platforms.validators import (
    normalise_domain,
    normalise_path_prefix,
    regime_for_jurisdiction,
    validate_country_code,
    validate_language_code,
)


def platform_slug(name: str) -> str:
    """``mega.nz`` -> ``mega-nz``: dots become hyphens so ``x.y.com`` and ``xy.com`` differ."""
    return slugify(name.replace(".", "-"))[:190]


def unique_platform_slug(name: str, exclude_pk: int | None = None) -> str:
    base = platform_slug(name) or "platform"
    others = Platform.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class PlatformKind(models.TextChoices):
    # The values are a contract with linkkit (classification, allowed actions): do not rename.
    SEARCH_ENGINE = "search_engine", _("search engine")
    SOCIAL_NETWORK = "social_network", _("social network")
    VIDEO_PLATFORM = "video_platform", _("video platform")
    AUDIO_STREAMING = "audio_streaming", _("audio streaming")
    FILE_HOST = "file_host", _("file host / cyberlocker")
    TORRENT_INDEX = "torrent_index", _("torrent index")
    LINK_SITE = "link_site", _("link / forum / blog site")
    URL_SHORTENER = "url_shortener", _("URL shortener")
    OTHER = "other", _("other")


class LegalRegime(models.TextChoices):
    EU = "eu", _("European Union (DSA, LCEN)")
    US = "us", _("United States (DMCA)")
    OTHER = "other", _("other")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    HTTPS = "https", _("HTTPS endpoint")
    BULK_FILE = "bulk_file", _("search-engine bulk file")
    WEB_FORM = "web_form", _("web form only")


class Platform(models.Model):
    """A service links can point to: a search engine, a host, a network, a pirate site.

    ``regime`` is stored so staff can filter on it and override it (a platform may answer
    under another regime than its seat suggests). Left blank in a form, it is derived from
    ``jurisdiction`` on save: an EU member state gives ``eu``, the United States ``us``,
    anything else, or an unknown jurisdiction, ``other``.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=PlatformKind.choices, default=PlatformKind.OTHER)
    licensed = models.BooleanField(
        _("licensed by the society"),
        default=False,
        help_text=_("Links to a licensed platform are refused at intake; no notice is ever sent to it."),
    )
    licence_note = models.TextField(
        _("licence note"),
        blank=True,
        help_text=_("What the licence covers and where it comes from (the seed's entries are defaults to check)."),
    )
    licensed_since = models.DateField(
        _("marked licensed on"),
        null=True,
        blank=True,
        help_text=_("The day this registry started treating the platform as licensed (set when it is marked)."),
    )
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 country of the operator (FR, US, IE…); empty if unknown."),
    )
    regime = models.CharField(
        _("legal regime"),
        max_length=8,
        choices=LegalRegime.choices,
        blank=True,
        help_text=_("Regime of the notices sent to this platform. Leave empty to derive it from the jurisdiction."),
    )
    notice_language = models.CharField(
        _("notice language"),
        max_length=8,
        default="en",
        validators=[validate_language_code],
        help_text=_("Language code of the notices sent to this platform (fr, en, de…)."),
    )
    notice_channel = models.CharField(
        _("notice channel"), max_length=16, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_url = models.URLField(
        _("contact URL"), max_length=500, blank=True, help_text=_("HTTPS endpoint or web form address.")
    )
    hosting_provider = models.ForeignKey(
        "self",
        verbose_name=_("hosting provider"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_platforms",
        help_text=_("Where the registry knows it: the host to escalate to when the platform does not act."),
    )
    removal_markers = models.TextField(
        _("removal markers"),
        blank=True,
        help_text=_("Text shown by this platform on a removed page (a “soft 404”), one marker per line."),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # What the seed command last wrote into this row; lets a re-seed tell an operator's edit from
    # a stale seed value. Not shown to operators.
    seed_state = models.JSONField(_("seed state"), null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["kind", "licensed"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.jurisdiction = (self.jurisdiction or "").strip().upper()
        if not self.slug:
            self.slug = unique_platform_slug(self.name, exclude_pk=self.pk)
        if not self.regime:
            self.regime = self.derived_regime
        # Whoever marks it (staff, the seed, an admin action): the day it happened, kept while licensed.
        since = (self.licensed_since or timezone.localdate()) if self.licensed else None
        if since != self.licensed_since:
            self.licensed_since = since
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "licensed_since"}
        super().save(*args, **kwargs)

    @property
    def removal_marker_list(self) -> list[str]:
        return [line.strip() for line in self.removal_markers.splitlines() if line.strip()]

    @property
    def derived_regime(self) -> str:
        return regime_for_jurisdiction(self.jurisdiction)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        self.name = (self.name or "").strip()
        self.jurisdiction = (self.jurisdiction or "").strip().upper()
        if not self.slug and self.name:
            self.slug = unique_platform_slug(self.name, exclude_pk=self.pk)
        if not self.regime:
            self.regime = self.derived_regime
        if self.notice_channel in (NoticeChannel.HTTPS, NoticeChannel.WEB_FORM) and not self.contact_url:
            errors.setdefault("contact_url", []).append(
                ValidationError(
                    _("The “%(channel)s” channel needs the address of the endpoint or form."),
                    code="required",
                    params={"channel": NoticeChannel(self.notice_channel).label},
                )
            )
        if (
            self.notice_channel == NoticeChannel.HTTPS
            and self.contact_url
            and not self.contact_url.startswith("https://")
        ):
            errors.setdefault("contact_url", []).append(
                ValidationError(_("An HTTPS endpoint must start with https://."), code="insecure")
            )
        if self.hosting_provider_id is not None and self.pk is not None and self.hosting_provider_id == self.pk:
            errors.setdefault("hosting_provider", []).append(
                ValidationError(_("A platform cannot be its own hosting provider."), code="self")
            )
        if errors:
            raise ValidationError(errors)


class PlatformDomain(models.Model):
    """A host suffix (with an optional path prefix) that belongs to a platform.

    ``example.com`` matches example.com and every host under it; ``music.apple.com`` matches
    only that host and its subdomains; a path prefix narrows the rule to part of a site. The
    longest host suffix wins, then the longest path prefix (linkkit's ``Registry``).
    """

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        _("domain"),
        max_length=253,
        help_text=_(
            "A registrable domain or host suffix, without scheme, port or path (example.com, music.apple.com)."
        ),
    )
    path_prefix = models.CharField(
        _("path prefix"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("Optional; starts with “/”. Only URLs whose path starts with it match this rule."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("platform domain")
        verbose_name_plural = _("platform domains")
        ordering: ClassVar[list[str]] = ["domain", "path_prefix"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["domain", "path_prefix"],
                name="platforms_domain_path_unique",
                violation_error_message=_("This domain and path prefix already belong to a platform."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain}{self.path_prefix}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rows written outside a form (seed, shell, services) are normalised the same way;
        # an invalid value raises here rather than reaching the table.
        self.domain = normalise_domain(self.domain)
        self.path_prefix = normalise_path_prefix(self.path_prefix)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        try:
            self.domain = normalise_domain(self.domain)
        except ValidationError as exc:
            errors["domain"] = [exc]
        try:
            self.path_prefix = normalise_path_prefix(self.path_prefix)
        except ValidationError as exc:
            errors["path_prefix"] = [exc]
        if errors:
            raise ValidationError(errors)
