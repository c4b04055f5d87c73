"""Writes on members and roles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sentinelle.catalogue.identifiers import normalise_ipi_name_number
from sentinelle.core.tokens import new_token, token_digest
from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP, ApiToken, Member, User

# What each role may do in the back office, as (app_label, model) pairs; codenames are Django's.
STAFF_MODELS: dict[str, tuple[str, ...]] = {
    "platforms": ("add", "change", "delete", "view"),
    "catalogue": ("add", "change", "view"),
    # Staff run the society's accounts; the admin keeps privileges to superusers (members/admin.py).
    "members": ("add", "view", "change"),
    "takedowns": ("add", "change", "view"),
    "notices": ("add", "change", "view"),
    "checks": ("view",),
    "recipients": ("add", "change", "view"),
}
INVESTIGATOR_MODELS: dict[str, tuple[str, ...]] = {
    "recipients": ("view",),
    "investigations": ("add", "change", "view"),
    "platforms": ("view",),
    "takedowns": ("view",),
    "catalogue": ("view",),
}


def _permissions(spec: dict[str, tuple[str, ...]]) -> Iterable[Permission]:
    query = Q(pk__in=[])
    for app_label, actions in spec.items():
        query |= Q(content_type__app_label=app_label, codename__regex=rf"^({'|'.join(actions)})_")
    return Permission.objects.filter(query)


def ensure_role_groups() -> None:
    """Create or refresh the staff and investigator groups (run after every migrate)."""
    for name, spec in ((STAFF_GROUP, STAFF_MODELS), (INVESTIGATOR_GROUP, INVESTIGATOR_MODELS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(spec))


@transaction.atomic
def create_member(
    *,
    email: str,
    password: str | None,
    name: str,
    member_number: str,
    kinds: list[str],
    ipi_name_number: str | None = None,
) -> Member:
    user = User.objects.create_user(email=email, password=password, full_name=name)
    member = Member(
        user=user,
        name=name,
        member_number=member_number,
        kinds=kinds,
        ipi_name_number=normalise_ipi_name_number(ipi_name_number) if ipi_name_number else None,
    )
    member.full_clean()
    member.save()
    return member


def grant_role(user: User, role: str) -> None:
    """Give a user the staff or investigator role. Staff also reach the back office."""
    if role not in (STAFF_GROUP, INVESTIGATOR_GROUP):
        raise ValueError(f"Unknown role {role!r}")
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


# --- Language ---------------------------------------------------------------------------------


def set_language(user: User, code: str) -> bool:
    """Remember the language ``user`` reads the site in: their pages and e-mails use it.

    An unknown code is ignored (False); so is a user who is not saved or not logged in.
    """
    if code not in dict(settings.LANGUAGES) or not user.pk or user.language == code:
        return False
    user.language = code
    user.save(update_fields=["language"])
    return True


def user_language(user: User | None) -> str:
    """The language to write to ``user`` in: theirs when known, else the society's."""
    code = user.language if user is not None else ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Personal API tokens ----------------------------------------------------------------------

API_TOKEN_SCHEME = "snt"  # noqa: S105 (a label, not a secret)
# snt_<8 hex>_<token_urlsafe(32): 43 chars of [A-Za-z0-9_-]>; anything else is refused unread.
_TOKEN_SHAPE = re.compile(r"snt_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
# last_used_at is a hint for the member, not an audit log: one write a minute per token at most.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_api_token(plaintext: str) -> str:
    return token_digest(plaintext)


def create_api_token(user: User, name: str, *, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user``, valid for ever or ``expires_in_days``. The plaintext is returned
    once and never stored."""
    prefix, plaintext = new_token(API_TOKEN_SCHEME)
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100],
        prefix=prefix,
        key_hash=hash_api_token(plaintext),
        expires_at=expires_at,
    )
    return token, plaintext


def revoke_tokens_after_password_change(user: User) -> int:
    """Every live key of ``user`` stops working: a new password must shut out whoever had the old one
    and made a key with it. Returns how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_because="password"
    )


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's id is ApiToken.DoesNotExist (a 404)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_because = "owner"
            token.save(update_fields=["revoked_at", "revoked_because"])
    return token


def authenticate_api_token(plaintext: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user behind a live token, or None.

    The lookup is by the SHA-256 of what was presented: comparing digests through the unique
    index leaks nothing useful about the stored keys, unlike a character-by-character compare.
    """
    if not isinstance(plaintext, str) or not _TOKEN_SHAPE.fullmatch(plaintext):
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_api_token(plaintext), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
    return token.user
