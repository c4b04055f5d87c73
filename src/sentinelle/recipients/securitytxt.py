"""security.txt (RFC 9116): the Contact lines and the Expires date of a site's own file.

A signed file (an OpenPGP cleartext signature around the fields) is read the same way: its
signature block is set aside, not verified, and the result says it was signed. No Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sentinelle.recipients.contacts import Refused, clean_email, clean_https_url, parse_mailto

SIGNED_HEADER = "-----BEGIN PGP SIGNED MESSAGE-----"
SIGNATURE_START = "-----BEGIN PGP SIGNATURE-----"


@dataclass(frozen=True)
class SecurityTxtContact:
    kind: str  # "email" or "web_form"
    address: str


@dataclass
class SecurityTxt:
    contacts: list[SecurityTxtContact] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (code, message) per Contact line not used
    expires: dt.datetime | None = None
    signed: bool = False


def _unsign(text: str) -> tuple[str, bool]:
    """The signed text of an OpenPGP cleartext message, dash-escapes undone; (text, False) if unsigned."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != SIGNED_HEADER:
        return text, False
    body: list[str] = []
    in_headers = True
    for line in lines[1:]:
        if in_headers:
            in_headers = line.strip() != ""  # "Hash: SHA256" lines, then a blank line
            continue
        if line.strip() == SIGNATURE_START:
            break
        body.append(line[2:] if line.startswith("- ") else line)
    return "\n".join(body), True


def _parse_expires(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _contact(value: str) -> SecurityTxtContact:
    if value[:7].lower() == "mailto:":
        return SecurityTxtContact("email", parse_mailto(value))
    if value[:8].lower() == "https://":
        return SecurityTxtContact("web_form", clean_https_url(value))
    if value[:5].lower() == "http:":
        raise Refused("insecure_url", f"a security.txt contact must use https: {value[:100]!r}")
    if "@" in value and ":" not in value:
        return SecurityTxtContact("email", clean_email(value))  # a bare address: common, if not per the RFC
    raise Refused("unsupported_contact", f"a contact of another kind: {value[:100]!r}")


def parse(text: str) -> SecurityTxt:
    """Every Contact and the Expires field; bad lines are kept in ``refused`` with their reason."""
    body, signed = _unsign(text.lstrip("\ufeff"))
    result = SecurityTxt(signed=signed)
    seen: set[tuple[str, str]] = set()
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, colon, value = stripped.partition(":")
        if not colon:
            continue
        name, value = name.strip().lower(), value.strip()
        if name == "expires":
            parsed = _parse_expires(value)
            if parsed is None:
                result.refused.append(("invalid_expires", f"an Expires field that is not a date: {value[:60]!r}"))
            elif result.expires is None or parsed < result.expires:
                result.expires = parsed
        elif name == "contact":
            try:
                contact = _contact(value)
            except Refused as exc:
                result.refused.append((exc.code, exc.message))
                continue
            if (contact.kind, contact.address) not in seen:
                seen.add((contact.kind, contact.address))
                result.contacts.append(contact)
    return result
