"""Delivery status notifications (RFC 3464) read from bytes: which of our messages failed, for whom, why.

Pure (no Django): ``parse_dsn(raw)`` returns the permanent failures a bounce reports — a
``multipart/report; report-type=delivery-status`` whose per-recipient ``Action: failed`` with a
``5.x.x`` status — with the Message-ID of the returned message (its ``text/rfc822-headers`` or
``message/rfc822`` part), which is how a bounce is tied back to its notice. A delayed or relayed
notice (``Action: delayed``, ``4.x.x``) is not a bounce; anything that is not a DSN is ignored.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
MAX_DSN_BYTES = 2_000_000


@dataclass(frozen=True)
class Bounce:
    message_id: str  # of the message that bounced, "<…@…>"
    recipient: str  # Final-Recipient (rfc822;address), lower-cased
    status: str  # 5.1.1
    diagnostic: str  # Diagnostic-Code, one line, at most 300 characters


def _fields(block: Message | str) -> dict[str, str]:
    if isinstance(block, Message):
        return {k.lower(): " ".join(str(v).split()) for k, v in block.items()}
    out: dict[str, str] = {}
    for line in str(block).splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field groups of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses the groups as sub-messages
        return [_fields(block) for block in payload]
    text = _bytes(part)
    return [_fields(group) for group in re.split(r"\r?\n\r?\n", text.decode("utf-8", "replace")) if group.strip()]


def _returned_message_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        if kind == "text/rfc822-headers":
            headers = email.message_from_bytes(_bytes(part), policy=email.policy.compat32)
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    return ""


def _bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _address(value: str) -> str:
    kind, _, address = value.partition(";")
    return (address if address else kind).strip().strip("<>").lower()


def parse_dsn(raw: bytes) -> list[Bounce]:
    """The permanent failures the DSN ``raw`` reports (empty for anything else, never an exception)."""
    if len(raw) > MAX_DSN_BYTES:
        return []
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - a malformed message is not a bounce
        return []
    if message.get_content_type() != "multipart/report":
        return []
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    match = _MESSAGE_ID.search(_returned_message_id(message))
    if match is None:
        return []
    out = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _status_blocks(part):
            status = block.get("status", "").split()[0] if block.get("status") else ""
            if block.get("action", "").lower() == "failed" and status.startswith("5."):
                recipient = _address(block.get("final-recipient") or block.get("original-recipient", ""))
                diagnostic = " ".join(block.get("diagnostic-code", "").split())[:300]
                out.append(Bounce(match.group(0), recipient, status, diagnostic))
    return out
