from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sentinelle.members.models import ApiToken, Member


def member_for_user(user: Any) -> Member | None:
    """The member profile of a logged-in user, or None (staff, investigators)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Member.objects.get(user=user)
    except Member.DoesNotExist:
        return None


def api_tokens_of_user(user: Any) -> QuerySet[ApiToken]:
    """The user's tokens, live and revoked, newest first (revoked ones stay listed)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
