"""The investigations app's domain error: a message fit to show, and a stable code."""

from __future__ import annotations

from sentinelle.core.errors import DomainError


class InvestigationError(DomainError):
    """``InvestigationError(message, code=...)``: the message first, as the app raises it."""

    def __init__(self, message: str, *, code: str = "invalid", http_status: int = 400) -> None:
        super().__init__(code, message, http_status)
