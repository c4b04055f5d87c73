"""RFC 3161 time-stamps: asked of ``SENTINELLE_TSA_URL`` through the safe fetcher, checked here.

A token proves that the SHA-256 of a manifest existed at the authority's time. Checking it needs
the authority's root certificate: ``SENTINELLE_TSA_ROOTS`` (a PEM file) or, failing that, the
roots an export carries beside its tokens (``tsa-roots.pem``), and then the report says the root
was taken from the file itself (its fingerprint is printed, to compare with the authority's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from sentinelle import conf
from sentinelle.checks import fetch


class TimestampError(Exception):
    pass


@dataclass(frozen=True)
class Token:
    der: bytes
    at: dt.datetime


def tsa_url() -> str:
    return str(conf.setting("SENTINELLE_TSA_URL") or "")


async def request_token(data: bytes, fetcher: fetch.SafeFetcher) -> Token:
    """A token over SHA-256(``data``) from the configured authority; TimestampError otherwise."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
    try:
        result = await fetcher.fetch(
            tsa_url(),
            method="POST",
            content=request.as_bytes(),
            headers={"Content-Type": "application/timestamp-query"},
            max_redirects=0,
        )
    except fetch.FetchError as exc:
        raise TimestampError(f"time-stamping authority unreachable: {exc}") from exc
    if result.status_code != 200:
        raise TimestampError(f"time-stamping authority answered HTTP {result.status_code}")
    try:
        response = decode_timestamp_response(result.body)
    except ValueError as exc:
        raise TimestampError(f"not a time-stamp response: {exc}") from exc
    info = response.tst_info
    if info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampError("the authority stamped another hash")
    if request.nonce is not None and info.nonce != request.nonce:
        raise TimestampError("the authority's answer is not for this request (nonce)")
    return Token(der=result.body, at=info.gen_time)


def load_roots(pem: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem)


def configured_roots() -> bytes | None:
    path = str(conf.setting("SENTINELLE_TSA_ROOTS") or "")
    if not path:
        return None
    with open(path, "rb") as handle:
        return handle.read()


def root_fingerprints(roots: list[x509.Certificate]) -> list[str]:
    return [root.fingerprint(hashes.SHA256()).hex() for root in roots]


def verify_token(token: bytes, data: bytes, roots: list[x509.Certificate]) -> tuple[bool, str, dt.datetime | None]:
    """(valid, why, the authority's time): the token covers SHA-256(``data``) and chains to ``roots``."""
    try:
        response = decode_timestamp_response(token)
    except ValueError as exc:
        return False, f"not a time-stamp token ({exc})", None
    at = response.tst_info.gen_time
    if response.tst_info.message_imprint.message != hashlib.sha256(data).digest():
        return False, "the token is for another content (hash differs)", at
    if not roots:
        return False, "no trusted root to check the authority's signature", at
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        return False, f"the authority's signature does not verify ({exc})", at
    return True, "valid", at
