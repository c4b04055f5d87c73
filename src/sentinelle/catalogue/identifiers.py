"""Industry identifiers: ISWC, IPI name number, ISRC. Pure functions, no Django.

ISWC (ISO 15707): "T" + 9 digits + 1 check digit, weighted sum 1 + Σ d_i·i,
check = (10 - sum mod 10) mod 10. Stored compact (T0345246801), shown
T-034.524.680-1.

IPI name number (CISAC): 9 digits + 2 check digits, Σ d_i·(10 - i) mod 101.
"""

from __future__ import annotations

import re


class IdentifierError(ValueError):
    """A malformed identifier or a wrong check digit; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_ISWC_LOOSE = re.compile(r"^T[\s\-.]?(\d{3})[\s\-.]?(\d{3})[\s\-.]?(\d{3})[\s\-.]?(\d)$", re.IGNORECASE)
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")


def iswc_check_digit(nine_digits: str) -> int:
    total = 1 + sum(int(d) * (i + 1) for i, d in enumerate(nine_digits))
    return (10 - total % 10) % 10


def normalise_iswc(value: str) -> str:
    """Return the compact form of an ISWC, or raise IdentifierError."""
    raw = (value or "").strip()
    if not raw:
        raise IdentifierError("empty", "The ISWC is empty.")
    match = _ISWC_LOOSE.match(raw)
    if not match:
        raise IdentifierError("malformed", f"{raw!r} is not an ISWC (expected T-123.456.789-0).")
    digits = "".join(match.groups())
    if iswc_check_digit(digits[:9]) != int(digits[9]):
        raise IdentifierError("check_digit", f"{raw!r} has a wrong check digit.")
    return "T" + digits


def format_iswc(compact: str) -> str:
    """T0345246801 → T-034.524.680-1 (the form people read)."""
    if len(compact) != 11:
        return compact
    d = compact[1:]
    return f"T-{d[0:3]}.{d[3:6]}.{d[6:9]}-{d[9]}"


def ipi_check_digits(nine_digits: str) -> int:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine_digits)) % 101
    return (101 - total) % 100 if total else 0


def normalise_ipi_name_number(value: str) -> str:
    """Return the 11-digit IPI name number, or raise IdentifierError.

    CWR files left-pad shorter numbers with zeros; so do we.
    """
    raw = (value or "").strip().replace(" ", "")
    if not raw:
        raise IdentifierError("empty", "The IPI name number is empty.")
    if not raw.isdigit() or not raw.isascii():
        raise IdentifierError("malformed", f"{raw!r} is not an IPI name number (11 digits).")
    if len(raw) > 11:
        raise IdentifierError("malformed", f"{raw!r} has more than 11 digits.")
    digits = raw.zfill(11)
    if ipi_check_digits(digits[:9]) != int(digits[9:]):
        raise IdentifierError("check_digit", f"{raw!r} has wrong check digits.")
    return digits


def normalise_isrc(value: str) -> str:
    raw = (value or "").strip().replace("-", "").upper()
    if not raw:
        raise IdentifierError("empty", "The ISRC is empty.")
    if not _ISRC.match(raw):
        raise IdentifierError("malformed", f"{value!r} is not an ISRC (CC-XXX-YY-NNNNN).")
    return raw


def normalise_society_code(raw: str) -> str:
    """A CISAC society code in one form: CWR may pad a numeric code with spaces ("21 "); "021" here."""
    code = raw.strip()
    return code.zfill(3) if code.isdigit() else code.upper()
