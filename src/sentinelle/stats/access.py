"""Who sees the society's figures: staff (the anti-piracy desk and management hold staff accounts).

Anyone else gets a 404, never a 403: the pages' existence is not disclosed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest

F = TypeVar("F", bound=Callable[..., Any])


def can_see_society_figures(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and (user.is_staff or user.is_superuser))


def staff_only(view: F) -> F:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not can_see_society_figures(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
