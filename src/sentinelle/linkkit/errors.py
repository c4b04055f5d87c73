"""Typed errors raised by linkkit.

Every error is a ``LinkError`` (itself a ``ValueError``) carrying a stable ``code`` so that the
intake can store it and translate it without parsing messages.
"""

from __future__ import annotations

from typing import ClassVar


class LinkError(ValueError):
    """A reported link cannot be used; ``code`` is stable, the message is for logs."""

    code: ClassVar[str] = "invalid"

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        # Kept short: the input may be a 100 KB paste and errors end up in logs.
        self.url = url[:200]


class EmptyURL(LinkError):
    code = "empty"


class NotAURL(LinkError):
    code = "not_a_url"


class UnsupportedScheme(LinkError):
    code = "unsupported_scheme"


class MissingHost(LinkError):
    code = "no_host"


class PrivateAddress(LinkError):
    code = "private_address"


class URLTooLong(LinkError):
    code = "too_long"


ERROR_CODES: tuple[str, ...] = (
    EmptyURL.code,
    NotAURL.code,
    UnsupportedScheme.code,
    MissingHost.code,
    PrivateAddress.code,
    URLTooLong.code,
)
