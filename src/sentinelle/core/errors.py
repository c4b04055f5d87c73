"""The one base of the errors a service raises when a rule of the domain refuses a request."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; nothing was saved.

    ``code`` is stable (API error bodies and tests read it), ``message`` is for people (already in
    the request's language), ``http_status`` is what the API answers with it.
    """

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
