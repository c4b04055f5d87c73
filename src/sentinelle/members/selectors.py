from __future__ import annotations

from typing import Any

from sentinelle.members.models import Member


def member_for_user(user: Any) -> Member | None:
    """The member profile of a logged-in user, or None (staff, investigators)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Member.objects.get(user=user)
    except Member.DoesNotExist:
        return None
