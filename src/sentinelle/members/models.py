from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.identifiers import IdentifierError, normalise_ipi_name_number

STAFF_GROUP = "staff"
INVESTIGATOR_GROUP = "investigator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail logins are case-insensitive.
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a member, a staff operator or an investigator."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can log into the back office."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=[("fr", "Français"), ("en", "English")]
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_investigator(self) -> bool:
        return self.groups.filter(name=INVESTIGATOR_GROUP).exists()


def validate_ipi_name_number(value: str) -> None:
    try:
        normalise_ipi_name_number(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


class MemberKind(models.TextChoices):
    AUTHOR = "author", _("author")
    COMPOSER = "composer", _("composer")
    ARRANGER = "arranger", _("arranger")
    ADAPTER = "adapter", _("adapter")
    DIRECTOR = "director", _("director")
    PUBLISHER = "publisher", _("publisher")


class Member(models.Model):
    """A rights holder of the society. One user account may represent one member."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="member", verbose_name=_("user"))
    member_number = models.CharField(_("member number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("As registered with the society."))
    ipi_name_number = models.CharField(
        _("IPI name number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ipi_name_number],
    )
    kinds = models.JSONField(
        _("kinds"), default=list, help_text=_("author, composer, arranger, adapter, director, publisher")
    )
    daily_link_quota = models.PositiveIntegerField(
        _("daily link quota"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the society's default."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_number})"

    def clean(self) -> None:
        super().clean()
        if self.ipi_name_number:
            # A bad number has been reported by the field's validator already.
            with contextlib.suppress(IdentifierError):
                self.ipi_name_number = normalise_ipi_name_number(self.ipi_name_number)
        valid = set(MemberKind.values)
        if not self.kinds:
            raise ValidationError({"kinds": _("Choose at least one kind.")})
        bad = [k for k in self.kinds if k not in valid]
        if bad:
            raise ValidationError({"kinds": _("Unknown kind(s): %(kinds)s") % {"kinds": ", ".join(map(str, bad))}})
        self.kinds = sorted(set(self.kinds), key=MemberKind.values.index)

    def kind_labels(self) -> list[str]:
        labels = dict(MemberKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class ApiToken(models.Model):
    """A member's personal key to the REST API.

    The token (``snt_<prefix>_<secret>``) is shown once, when it is made; only its SHA-256 is
    kept, so a leaked database gives no usable key. The prefix is shown in lists to tell keys apart.
    A key may expire; every key of a user is revoked when their password changes.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_because = models.CharField(
        _("revoked because"),
        max_length=16,
        blank=True,
        choices=[("owner", _("revoked")), ("password", _("password changed"))],
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (snt_{self.prefix}_…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
