"""Who can act on a site: discovery state per registrable domain, every run, the contacts found,
the networks looked up (cached per network), and the staff's overrides (which win)."""

from __future__ import annotations

import ada_url
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sentinelle.linkkit import registrable_domain
from sentinelle.recipients.contacts import Refused, clean_email, clean_https_url


class Role(models.TextChoices):
    # In the order of preference for a first notice; the registrar is for escalation.
    SITE = "site", _("the site's own channel")
    HOSTING = "hosting", _("hosting network (abuse)")
    CDN = "cdn", _("CDN (abuse form)")
    REGISTRAR = "registrar", _("registrar (escalation)")


ROLE_ORDER = {Role.SITE: 0, Role.HOSTING: 1, Role.CDN: 2, Role.REGISTRAR: 3}


class Kind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEB_FORM = "web_form", _("web form (by hand)")
    HTTPS = "https", _("HTTPS endpoint")


class Source(models.TextChoices):
    SECURITY_TXT = "security_txt", _("security.txt")
    SITE_PAGE = "site_page", _("the site's pages")
    RDAP_IP = "rdap_ip", _("RDAP of the address")
    CDN_RANGES = "cdn_ranges", _("CDN address ranges")
    RDAP_DOMAIN = "rdap_domain", _("RDAP of the domain")
    STAFF = "staff", _("staff")


class State(models.TextChoices):
    PENDING = "pending", _("waiting")
    DONE = "done", _("done")
    RETRY = "retry", _("failed, will retry")


class DomainDiscovery(models.Model):
    """One row per registrable domain: when discovery ran, what came of it, when it runs next."""

    registrable_domain = models.CharField(_("registrable domain"), max_length=255, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    contacts_found = models.PositiveIntegerField(_("contacts found"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    cdn = models.CharField(_("CDN"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("domain discovery")
        verbose_name_plural = _("domain discoveries")
        ordering = ["registrable_domain"]

    def __str__(self) -> str:
        return self.registrable_domain


class DiscoveryRun(models.Model):
    """Every attempt is a row: its steps, each with its outcome and reason."""

    discovery = models.ForeignKey(DomainDiscovery, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    outcome = models.CharField(_("outcome"), max_length=20)
    steps = models.JSONField(_("steps"), default=list)
    pages_fetched = models.PositiveIntegerField(_("pages fetched"), default=0)
    bytes_read = models.PositiveIntegerField(_("bytes read"), default=0)

    class Meta:
        verbose_name = _("discovery run")
        verbose_name_plural = _("discovery runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.discovery} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class NetworkLookup(models.Model):
    """An RDAP answer for a network (cached for every address in its range), or a failed lookup of one address."""

    ip_version = models.PositiveSmallIntegerField(_("IP version"))
    # Addresses as fixed-width hex, so a range holds an address when start <= it <= end as text.
    start_key = models.CharField(max_length=32)
    end_key = models.CharField(max_length=32)
    start = models.CharField(_("first address"), max_length=45)
    end = models.CharField(_("last address"), max_length=45)
    answered = models.BooleanField(_("answered"), default=False)
    handle = models.CharField(_("network handle"), max_length=100, blank=True)
    name = models.CharField(_("network name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    registry = models.URLField(_("RDAP service"), max_length=300, blank=True)
    rdap_url = models.URLField(_("RDAP address"), max_length=500, blank=True)
    abuse_email = models.EmailField(_("abuse e-mail"), blank=True)
    code = models.CharField(_("reason code"), max_length=50, blank=True)
    message = models.TextField(_("reason"), blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("network lookup")
        verbose_name_plural = _("network lookups")
        ordering = ["ip_version", "start_key"]
        constraints = [
            models.UniqueConstraint(fields=["ip_version", "start_key", "end_key"], name="recipients_network_range"),
        ]
        indexes = [models.Index(fields=["ip_version", "start_key", "end_key"], name="recipients_network_lookup")]

    def __str__(self) -> str:
        return f"{self.start} - {self.end}" if self.start != self.end else self.start


class Finding(models.Model):
    """A contact found for a registrable domain, with where and when it was found and until when it holds."""

    registrable_domain = models.CharField(_("registrable domain"), max_length=255, db_index=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=500)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_url = models.CharField(_("found at (URL)"), max_length=500, blank=True)
    preference = models.PositiveIntegerField(_("preference"), default=0)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    found_at = models.DateTimeField(_("first found at"))
    confirmed_at = models.DateTimeField(_("last found at"))
    expires_at = models.DateTimeField(_("expires at"))
    withdrawn_at = models.DateTimeField(
        _("no longer found at"), null=True, blank=True, help_text=_("A later run did not find it again.")
    )
    run = models.ForeignKey(DiscoveryRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    network = models.ForeignKey(NetworkLookup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suspect_at = models.DateTimeField(_("suspect since"), null=True, blank=True)
    suspect_reason = models.TextField(_("why it is suspect"), blank=True)
    rejected_at = models.DateTimeField(_("set aside by staff at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("contact found")
        verbose_name_plural = _("contacts found")
        ordering = ["registrable_domain", "role", "preference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registrable_domain", "role", "kind", "address", "source"], name="recipients_finding_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registrable_domain}: {self.address} ({self.get_role_display()})"


class ContactOverride(models.Model):
    """A contact given by staff for a domain and role: it wins over whatever discovery found for that role."""

    registrable_domain = models.CharField(_("registrable domain"), max_length=255, db_index=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.SITE)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    address = models.CharField(_("address"), max_length=500, help_text=_("An e-mail address, or an https:// URL."))
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact set by staff")
        verbose_name_plural = _("contacts set by staff")
        ordering = ["registrable_domain", "role", "id"]

    def __str__(self) -> str:
        return f"{self.registrable_domain}: {self.address} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        domain = normalise_domain(self.registrable_domain or "")
        if domain is None:
            errors["registrable_domain"] = ValidationError(_("Enter a registrable domain (example.com)."))
        else:
            self.registrable_domain = domain
        try:
            if self.kind == Kind.EMAIL:
                self.address = clean_email(self.address or "")
            else:
                self.address = clean_https_url(self.address or "")
        except Refused as exc:
            message = _("Enter one e-mail address.") if self.kind == Kind.EMAIL else _("Enter an https:// address.")
            errors["address"] = ValidationError(message, code=exc.code)
        if errors:
            raise ValidationError(errors)


def normalise_domain(text: str) -> str | None:
    """The registrable domain named by ``text`` (IDN as ASCII), or None when it names none."""
    value = text.strip().lower().rstrip(".")
    if not value or "/" in value or ":" in value or " " in value:
        return None
    try:
        host = ada_url.URL(f"http://{value}/").hostname
    except ValueError:
        return None
    if not host or host.startswith("[") or host.replace(".", "").isdigit():
        return None  # an address is not a domain
    found = registrable_domain(host)
    return found if found == host else None
