"""The dossier for a judicial file: a ZIP laid out as ``dossierzip`` describes, signed and stamped."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from sentinelle.checks import fetch
from sentinelle.investigations import dossierzip, selectors, signing, storage, timestamps
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import CaptureStatus, CustodyAction, Evidence, Site
from sentinelle.investigations.reportdata import report_pdf
from sentinelle.investigations.services import custody
from sentinelle.members.models import User

STORED_AS_IS = (".gz", ".png", ".pdf")  # already compressed


@dataclass(frozen=True)
class ExportResult:
    path: Path
    export_id: str
    files: int
    sha256: str


class _Writer:
    """Adds files to the ZIP and lists them (path, SHA-256, size) for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.listed: list[dict[str, Any]] = []

    def add(self, name: str, data: bytes, *, listed: bool = True) -> None:
        compress = zipfile.ZIP_STORED if name.endswith(STORED_AS_IS) else zipfile.ZIP_DEFLATED
        self.archive.writestr(zipfile.ZipInfo(name, date_time=_zip_time()), data, compress_type=compress)
        if listed:
            self.listed.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})

    def add_stored(self, name: str, sha256: str) -> None:
        info = zipfile.ZipInfo(name, date_time=_zip_time())
        info.compress_type = zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        with self.archive.open(info, "w", force_zip64=True) as out:
            for chunk in storage.open_stored(sha256):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.listed.append({"path": name, "sha256": digest.hexdigest(), "size": size})


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = timezone.now().astimezone(timezone.get_current_timezone())
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _captures(site: Site) -> list[Evidence]:
    captures = list(selectors.evidence_of_dossier(site).filter(status=CaptureStatus.DONE).order_by("pk"))
    altered = []
    for evidence in captures:
        for row in evidence.files.all():
            problem = storage.check(row.sha256)
            if problem:
                altered.append(f"evidence {evidence.pk}/{row.name}: {problem}")
    if altered:
        raise InvestigationError(
            _("Export refused: stored evidence no longer matches its hash: %(files)s") % {"files": "; ".join(altered)},
            code="evidence_altered",
        )
    return captures


def export_dossier(site: Site, out: Path, *, actor: User, reason: str) -> ExportResult:
    """Writes the ZIP at ``out`` (atomically) and records the export in the chain of custody first."""
    if not reason.strip():
        raise InvestigationError(_("Say why, and for whom, the dossier is exported."), code="reason_required")
    captures = _captures(site)
    export_id = str(uuid.uuid4())
    custody.record(
        site,
        actor=actor,
        action=CustodyAction.EXPORTED,
        subject=f"dossier {site.pk} export {export_id}",
        reason=reason,
        details={"export_id": export_id, "captures": [e.pk for e in captures]},
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            files = _write_all(_Writer(archive), site, captures, export_id, actor, reason)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportResult(out, export_id, files, storage.file_sha256(out))


def _write_all(writer: _Writer, site: Site, captures: list[Evidence], export_id: str, actor: User, reason: str) -> int:
    public_key = signing.society_public_key()
    records = [custody.as_record(e) for e in selectors.custody_of_dossier(site)]
    writer.add(dossierzip.REPORT, report_pdf(site, captures, export_id))
    writer.add(
        dossierzip.CUSTODY, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()
    )
    writer.add(dossierzip.KEY, signing.public_pem(public_key).encode("ascii"))
    writer.add(dossierzip.README, _readme(signing.fingerprint(public_key)).encode("utf-8"))
    roots = timestamps.configured_roots()
    if roots:
        writer.add(dossierzip.TSA_ROOTS, roots)
    for evidence in captures:
        folder = dossierzip.evidence_dir(evidence.pk)
        manifest = evidence.manifest.encode("utf-8")
        writer.add(folder + dossierzip.CAPTURE_MANIFEST, manifest)
        writer.add(folder + dossierzip.CAPTURE_MANIFEST + ".sig", evidence.signature.encode("ascii"))
        if evidence.timestamp_token:
            writer.add(folder + dossierzip.CAPTURE_MANIFEST + ".tsr", bytes(evidence.timestamp_token))
        for row in evidence.files.all():
            writer.add_stored(folder + row.name, row.sha256)
    manifest = _manifest(site, captures, export_id, actor, reason, records, writer.listed)
    writer.add(dossierzip.MANIFEST, manifest, listed=False)
    writer.add(dossierzip.SIGNATURE, signing.sign(manifest).encode("ascii"), listed=False)
    if timestamps.tsa_url():
        writer.add(dossierzip.TOKEN, _stamp(manifest), listed=False)
    return len(writer.listed) + 2


def _stamp(manifest: bytes) -> bytes:
    async def run() -> bytes:
        async with fetch.SafeFetcher() as fetcher:
            return (await timestamps.request_token(manifest, fetcher)).der

    try:
        return asyncio.run(run())
    except timestamps.TimestampError as exc:
        raise InvestigationError(
            _("Export stopped: the time-stamping authority failed (%(why)s).") % {"why": exc}, code="tsa_failed"
        ) from None


def _manifest(
    site: Site,
    captures: list[Evidence],
    export_id: str,
    actor: User,
    reason: str,
    records: list[dict[str, Any]],
    files: list[dict[str, Any]],
) -> bytes:
    public_key = signing.society_public_key()
    body = {
        "format": dossierzip.FORMAT,
        "export_id": export_id,
        "dossier": {
            "id": site.pk,
            "name": site.name,
            "status": site.status,
            "domains": selectors.dossier_domains(site),
        },
        "exported_at": custody.iso_utc(timezone.now()),
        "exported_by": custody.actor_label(actor),
        "reason": reason.strip(),
        "society": settings.SENTINELLE_SOCIETY["name"],
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key": signing.public_pem(public_key),
            "fingerprint": signing.fingerprint(public_key),
        },
        "custody": {
            "file": dossierzip.CUSTODY,
            "events": len(records),
            "last_hash": records[-1]["hash"] if records else None,
        },
        "captures": [
            {
                "evidence": e.pk,
                "url": e.url,
                "manifest_sha256": e.manifest_sha256,
                "time_stamped": bool(e.timestamp_token),
            }
            for e in captures
        ],
        "files": files,
    }
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _readme(fingerprint: str) -> str:
    return (
        "Sentinelle dossier export\n\n"
        "manifest.json lists every file of this archive with its SHA-256; manifest.json.sig is its\n"
        "Ed25519 signature by the society's key (signing-key.pem, SHA-256 fingerprint of the raw key:\n"
        f"{fingerprint}). manifest.json.tsr, when present, is an RFC 3161 time-stamp token over\n"
        "manifest.json. Each evidence/<id>/capture.json was signed (and time-stamped) when the page was\n"
        "captured and lists the SHA-256 of that capture's files. custody.jsonl is the chain of custody:\n"
        "each line's hash is the SHA-256 of its canonical JSON (sorted keys, no spaces, without 'hash'),\n"
        "which contains the previous line's hash.\n\n"
        "To check everything: python -m sentinelle verify_dossier THIS.zip\n"
        "By hand: sha256sum the files; openssl ts -reply -in manifest.json.tsr -text;\n"
        "openssl ts -verify -data manifest.json -in manifest.json.tsr -CAfile tsa-roots.pem\n"
    )
