"""The investigations app's domain error: a message fit to show, and a stable code."""

from __future__ import annotations


class InvestigationError(Exception):
    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
