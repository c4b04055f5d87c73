"""The export's layout and its verification (``verify_dossier``).

::

    report.pdf                the report for the court (site, domains, timeline, works, notices, checks, damages)
    manifest.json             every other file with its SHA-256 and size; the custody chain's length and head
    manifest.json.sig         Ed25519 signature of manifest.json (base64) by the society's key
    manifest.json.tsr         RFC 3161 token over manifest.json (when an authority is configured)
    signing-key.pem           the society's public key (also in the manifest)
    tsa-roots.pem             the authority's root certificate(s), when configured
    custody.jsonl             the dossier's chain of custody, one event a line, hash-chained
    README.txt                how to check all this by hand
    evidence/<id>/capture.json       the capture's manifest (URL, UTC time, agent, server address, file hashes)
    evidence/<id>/capture.json.sig   its signature, made at capture time
    evidence/<id>/capture.json.tsr   its time-stamp token, obtained at capture time
    evidence/<id>/response.warc.gz   the HTTP exchanges (ISO 28500)
    evidence/<id>/screenshot.png     the full-page screenshot, when one was taken

Verification names every file that does not match and says why; it needs nothing but the ZIP
(and, to tie the signature and time-stamps to the society and to a trusted authority, the
society's public key and the authority's roots, given separately).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sentinelle.investigations import chain, signing, timestamps

FORMAT = "sentinelle-dossier/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
TOKEN = "manifest.json.tsr"  # noqa: S105 - a file name, not a secret
CUSTODY = "custody.jsonl"
REPORT = "report.pdf"
KEY = "signing-key.pem"
TSA_ROOTS = "tsa-roots.pem"
README = "README.txt"
CAPTURE_MANIFEST = "capture.json"
UNLISTED = frozenset({MANIFEST, SIGNATURE, TOKEN})


def evidence_dir(evidence_id: int) -> str:
    return f"evidence/{evidence_id}/"


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Zip:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {info.filename for info in archive.infolist() if not info.is_dir()}

    def read(self, name: str) -> bytes | None:
        return self.archive.read(name) if name in self.names else None


def verify_zip(path: Path, *, trusted_key_pem: bytes | None = None, tsa_roots_pem: bytes | None = None) -> VerifyReport:
    report = VerifyReport()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.problems.append(f"{path}: not a readable ZIP file ({exc})")
        return report
    with archive:
        z = _Zip(archive)
        manifest_bytes = z.read(MANIFEST)
        manifest = _load_manifest(manifest_bytes, report)
        if manifest is None or manifest_bytes is None:
            return report
        key = _manifest_key(manifest, trusted_key_pem, report)
        _check_signature(key, manifest_bytes, z.read(SIGNATURE), MANIFEST, report)
        roots = _roots(z, tsa_roots_pem, report)
        _check_token(z.read(TOKEN), manifest_bytes, TOKEN, roots, report)
        _check_files(z, manifest, report)
        for capture in manifest.get("captures", []):
            _check_capture(z, capture, key, roots, report)
        _check_custody(z.read(CUSTODY), manifest.get("custody", {}), report)
    return report


def _load_manifest(data: bytes | None, report: VerifyReport) -> dict[str, Any] | None:
    if data is None:
        report.problems.append(f"{MANIFEST}: missing")
        return None
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.problems.append(f"{MANIFEST}: altered (no longer valid JSON: {exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problems.append(f"{MANIFEST}: not a Sentinelle dossier manifest ({FORMAT})")
        return None
    return manifest


def _manifest_key(manifest: dict[str, Any], trusted_pem: bytes | None, report: VerifyReport) -> Ed25519PublicKey | None:
    try:
        key = signing.load_public_pem(str(manifest["signing_key"]["public_key"]))
    except (KeyError, TypeError, ValueError) as exc:
        report.problems.append(f"{MANIFEST}: altered (its signing key cannot be read: {exc})")
        return None
    fingerprint = signing.fingerprint(key)
    if trusted_pem is not None:
        expected = signing.fingerprint(signing.load_public_pem(trusted_pem))
        if expected != fingerprint:
            report.problems.append(f"{MANIFEST}: signed with key {fingerprint}, not with the society's key {expected}")
            return key
        report.notes.append(f"signing key {fingerprint}: the society's key")
    else:
        report.notes.append(f"signing key {fingerprint} (compare it with the society's published fingerprint)")
    return key


def _check_signature(
    key: Ed25519PublicKey | None, data: bytes, signature: bytes | None, name: str, report: VerifyReport
) -> None:
    if key is None:
        return
    if signature is None:
        report.problems.append(f"{name}.sig: missing")
    elif not signing.verify(key, data, signature.decode("ascii", "replace")):
        report.problems.append(f"{name}: altered (its signature {name}.sig does not match it)")


def _roots(z: _Zip, given: bytes | None, report: VerifyReport) -> list[Any]:
    pem = given
    if pem is None:
        pem = z.read(TSA_ROOTS)
        if pem is not None:
            report.notes.append(
                f"time-stamps checked against the authority root carried in {TSA_ROOTS} "
                "(give --tsa-roots to check against your own copy)"
            )
    if not pem:
        return []
    try:
        roots = timestamps.load_roots(pem)
    except ValueError as exc:
        report.problems.append(f"{TSA_ROOTS}: unreadable ({exc})")
        return []
    report.notes.append("authority root(s): " + ", ".join(timestamps.root_fingerprints(roots)))
    return roots


def _check_token(token: bytes | None, data: bytes, name: str, roots: list[Any], report: VerifyReport) -> None:
    if token is None:
        report.notes.append(f"{name}: absent (no time-stamp)")
        return
    valid, why, at = timestamps.verify_token(token, data, roots)
    if valid:
        report.notes.append(f"{name}: valid, time-stamped at {at.isoformat() if at else '?'}")
    elif not roots and "no trusted root" in why:
        report.notes.append(f"{name}: covers the manifest, but no authority root was given to check its signature")
    else:
        report.problems.append(f"{name}: {why}")


def _check_files(z: _Zip, manifest: dict[str, Any], report: VerifyReport) -> None:
    listed: set[str] = set()
    for entry in manifest.get("files", []):
        name = str(entry.get("path", ""))
        listed.add(name)
        data = z.read(name)
        if data is None:
            report.problems.append(f"{name}: missing (listed in the manifest)")
        elif _sha256(data) != entry.get("sha256"):
            report.problems.append(f"{name}: altered (its SHA-256 differs from the manifest's)")
    for name in sorted(z.names - listed - UNLISTED):
        report.problems.append(f"{name}: added (not listed in the manifest)")


def _check_capture(
    z: _Zip, capture: dict[str, Any], key: Ed25519PublicKey | None, roots: list[Any], report: VerifyReport
) -> None:
    folder = evidence_dir(int(capture.get("evidence", 0)))
    name = folder + CAPTURE_MANIFEST
    data = z.read(name)
    if data is None:
        report.problems.append(f"{name}: missing")
        return
    try:
        signed = json.loads(data)
        capture_key = signing.load_public_pem(signed["signing_key"]["public_key"])
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"{name}: altered (unreadable: {exc})")
        return
    if key is not None and signing.fingerprint(capture_key) != signing.fingerprint(key):
        report.notes.append(f"{name}: signed with another key of the society ({signing.fingerprint(capture_key)})")
    _check_signature(capture_key, data, z.read(name + ".sig"), name, report)
    _check_token(z.read(name + ".tsr"), data, name + ".tsr", roots, report)
    for entry in signed.get("files", []):
        path = folder + str(entry.get("name", ""))
        content = z.read(path)
        if content is not None and _sha256(content) != entry.get("sha256"):
            report.problems.append(f"{path}: differs from the hash signed at capture time")


def _check_custody(data: bytes | None, expected: dict[str, Any], report: VerifyReport) -> None:
    if data is None:
        report.problems.append(f"{CUSTODY}: missing")
        return
    events: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            report.problems.append(f"{CUSTODY} line {number}: altered (not valid JSON)")
            event = {}
        events.append(event if isinstance(event, dict) else {})
    for problem in chain.verify_chain(events):
        report.problems.append(f"{CUSTODY}: {problem}")
    if len(events) != expected.get("events"):
        report.problems.append(f"{CUSTODY}: {len(events)} events, the manifest says {expected.get('events')}")
    last = events[-1].get("hash") if events else None
    if last != expected.get("last_hash"):
        report.problems.append(f"{CUSTODY}: its last event is not the one the manifest names (events removed or added)")
