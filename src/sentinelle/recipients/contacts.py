"""What counts as a usable contact address: plain rules on e-mail addresses, mailto: links and URLs.

No Django here: the discovery engine and its tests call these directly. A refused value raises
:class:`Refused` with a stable ``code`` that is stored as the recorded reason.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

import ada_url

# RFC 5321 sizes; the local part as people write it (no quoted strings, no comments).
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$"
)
# Headers a mailto: link may carry without adding recipients or lines of its own.
_HARMLESS_HEADERS = frozenset({"subject", "body"})
_RECIPIENT_HEADERS = frozenset({"to", "cc", "bcc"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Refused(ValueError):
    """A contact value that is not used, with the reason recorded for it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean_email(text: str) -> str:
    """The address, its domain lower-cased; Refused when it is not one plain address."""
    value = text.strip()
    if _CONTROL.search(value):
        raise Refused("header_injection", "an e-mail address with a line break or control character")
    if len(value) > 254 or value.count("@") != 1:
        raise Refused("invalid_email", f"not one e-mail address: {value[:100]!r}")
    local, _, domain = value.partition("@")
    if len(local) > 64 or not _EMAIL.match(value):
        raise Refused("invalid_email", f"not an e-mail address: {value[:100]!r}")
    return f"{local}@{domain.lower()}"


def parse_mailto(href: str) -> str:
    """The one address of a ``mailto:`` link; Refused for several addresses or injected headers."""
    if not href[:7].lower() == "mailto:":
        raise Refused("not_mailto", "not a mailto: link")
    raw = href[7:]
    path, _, query = raw.partition("?")
    decoded_path = unquote(path)
    if _CONTROL.search(decoded_path) or _CONTROL.search(unquote(query)):
        raise Refused("mailto_header_injection", "a mailto: link carrying a line break (header injection)")
    headers = [(name.lower(), value) for name, value in parse_qsl(query, keep_blank_values=True)]
    extra_recipients = [value for name, value in headers if name in _RECIPIENT_HEADERS and value.strip()]
    unknown = sorted({name for name, _ in headers if name not in _HARMLESS_HEADERS | _RECIPIENT_HEADERS})
    if unknown:
        raise Refused("mailto_header_injection", f"a mailto: link setting the header(s) {', '.join(unknown)[:100]}")
    addresses = [part for part in decoded_path.split(",") if part.strip()]
    if len(addresses) + len(extra_recipients) > 1:
        raise Refused("mailto_several_addresses", "a mailto: link naming several addresses")
    if not addresses:
        raise Refused("invalid_email", "a mailto: link without an address")
    return clean_email(addresses[0])


def clean_https_url(text: str) -> str:
    """A web address usable as a contact (https only, no credentials); Refused otherwise."""
    value = text.strip()
    if _CONTROL.search(value):
        raise Refused("invalid_url", "a URL with a control character")
    try:
        url = ada_url.URL(value)
    except ValueError as exc:
        raise Refused("invalid_url", f"not a URL: {value[:100]!r}") from exc
    if url.protocol != "https:":
        raise Refused("insecure_url", f"a contact URL must use https: {value[:100]!r}")
    if url.username or url.password or not url.hostname:
        raise Refused("invalid_url", f"not a usable contact URL: {value[:100]!r}")
    url.hash = ""
    if len(url.href) > 500:
        raise Refused("invalid_url", "a contact URL longer than 500 characters")
    return url.href
