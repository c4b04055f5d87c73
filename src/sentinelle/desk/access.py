"""The staff's work queue is for staff only: anyone else gets a 404 (its existence is not disclosed)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

F = TypeVar("F", bound=Callable[..., Any])


def is_desk_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def staff_only(view: F) -> F:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not is_desk_staff(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def can_act(user: Any) -> bool:
    """Acting on notices (a contact, a hand delivery) needs the notices' change permission."""
    return bool(user.has_perm("notices.change_notice"))
