from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sentinelle.investigations.access import can_investigate


def investigations(request: HttpRequest) -> dict[str, Any]:
    """``can_investigate`` for the page frame's menu (computed only when a template asks)."""
    return {"can_investigate": SimpleLazyObject(lambda: can_investigate(getattr(request, "user", None)))}
