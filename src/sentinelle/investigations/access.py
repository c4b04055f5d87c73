"""Who may see investigations: investigators and staff. Everyone else gets a 404, never a 403."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest

from sentinelle.members.models import INVESTIGATOR_GROUP

F = TypeVar("F", bound=Callable[..., Any])


def can_investigate(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.groups.filter(name=INVESTIGATOR_GROUP).exists())


def investigators_only(view: F) -> F:
    """A 404 for members and anonymous visitors: the pages' existence is not disclosed."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not can_investigate(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
