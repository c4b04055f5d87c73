"""Evidence capture: request, run (fetch, screenshot, WARC, store, manifest, signature, time-stamp).

A capture is an ``Evidence`` row that moves queued -> fetching -> screenshot -> sealing -> done
(or failed); each step is saved as it starts, which is the progress the dossier page shows. The
page is fetched once; the screenshot shows that same answer (the browser is served the captured
body) and the page's other resources, fetched through the safe fetcher and added to the WARC.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sentinelle.checks import fetch
from sentinelle.investigations import capture, selectors, signing, storage, timestamps
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import CaptureStatus, CustodyAction, Evidence, EvidenceFile, Site
from sentinelle.investigations.services import custody, dossiers
from sentinelle.investigations.warc import build_warc
from sentinelle.linkkit import registrable_domain
from sentinelle.members.models import User

MANIFEST_FORMAT = "sentinelle-evidence/1"
WARC_NAME = "response.warc.gz"
SCREENSHOT_NAME = "screenshot.png"


@functools.cache
def software() -> str:
    try:
        return f"Sentinelle {importlib.metadata.version('sentinelle')}"
    except importlib.metadata.PackageNotFoundError:
        return "Sentinelle"


def request_captures(site: Site, urls: Iterable[str], *, actor: User) -> list[Evidence]:
    """One queued capture per URL (checked: http or https, a host, no credentials)."""
    rows: list[Evidence] = []
    for url in urls:
        try:
            href, host, _port = fetch.normalise_url(url.strip())
        except fetch.InvalidURL as exc:
            raise InvestigationError(
                _("%(url)s cannot be captured: %(why)s") % {"url": url.strip()[:200], "why": exc}, code="invalid_url"
            ) from None
        rows.append(Evidence(site=site, url=href, domain=registrable_domain(host) or host, requested_by=actor))
    if not rows:
        raise InvestigationError(_("Give at least one address to capture."), code="invalid_url")
    with transaction.atomic():
        for row in rows:
            row.save()
    return rows


def enqueue_captures(evidence: Iterable[Evidence]) -> None:
    """Queues the capture tasks once the rows are committed."""
    from sentinelle.investigations.tasks import capture_evidence

    for row in evidence:
        transaction.on_commit(functools.partial(capture_evidence.enqueue, row.pk))


def _step(evidence: Evidence, status: CaptureStatus, **fields: Any) -> None:
    evidence.status = status
    for name, value in fields.items():
        setattr(evidence, name, value)
    evidence.save(update_fields=["status", *fields])


def _fetcher() -> fetch.SafeFetcher:
    return fetch.SafeFetcher(timeout=float(settings.SENTINELLE_EVIDENCE_TIMEOUT))


async def _fetch_page(url: str) -> capture.PageCapture:
    async with _fetcher() as fetcher:
        return await capture.fetch_page(
            url,
            fetcher,
            max_bytes=settings.SENTINELLE_EVIDENCE_MAX_BYTES,
            timeout=float(settings.SENTINELLE_EVIDENCE_TIMEOUT),
        )


async def _screenshot(page: capture.PageCapture) -> capture.Screenshot:
    async with _fetcher() as fetcher:
        return await capture.take_screenshot(
            page,
            fetcher,
            chromium=settings.SENTINELLE_CHROMIUM,
            timeout=float(settings.SENTINELLE_EVIDENCE_TIMEOUT),
            max_bytes=settings.SENTINELLE_EVIDENCE_MAX_BYTES,
        )


async def _stamp(data: bytes) -> timestamps.Token:
    async with fetch.SafeFetcher() as fetcher:
        return await timestamps.request_token(data, fetcher)


def run_capture(evidence_id: int, *, screenshot: bool | None = None) -> Evidence:
    """Runs one queued capture to its end. Idempotent: a finished capture is returned as it is."""
    evidence = Evidence.objects.select_related("site", "requested_by").get(pk=evidence_id)
    if not evidence.is_pending:
        return evidence
    _step(evidence, CaptureStatus.FETCHING)
    try:
        page = asyncio.run(_fetch_page(evidence.url))
    except fetch.FetchError as exc:
        _step(evidence, CaptureStatus.FAILED, error=f"{exc.code}: {exc}", finished_at=timezone.now())
        return evidence
    _step(
        evidence,
        CaptureStatus.SCREENSHOT,
        captured_at=page.at,
        final_url=page.final_url,
        final_domain=selectors.url_domain(page.final_url),
        http_status=page.status,
        peer_address=page.address,
        page_title=page.title,
        favicon_sha256=page.favicon_sha256,
        redirect_chain=page.redirects,
    )
    wanted = settings.SENTINELLE_EVIDENCE_SCREENSHOTS if screenshot is None else screenshot
    shot = asyncio.run(_screenshot(page)) if wanted else capture.Screenshot(None, "no screenshot: not asked for")
    _seal(evidence, page, shot)
    for site in selectors.sites_sharing_with(evidence):
        dossiers.refresh_mirror_suggestions(site)
    return evidence


def _warc_info(evidence: Evidence) -> dict[str, str]:
    society = settings.SENTINELLE_SOCIETY
    return {
        "software": software(),
        "format": "WARC File Format 1.1 (ISO 28500)",
        "operator": f"{society['name']} ({custody.actor_label(evidence.requested_by)})",
        "http-header-user-agent": fetch.user_agent(),
        "description": (
            "Evidence capture for a judicial file. No cookie was sent or stored; no data about the "
            "site's visitors was collected. Bodies are stored after transfer decoding."
        ),
    }


def _seal(evidence: Evidence, page: capture.PageCapture, shot: capture.Screenshot) -> None:
    _step(evidence, CaptureStatus.SEALING, screenshot_note=shot.note)
    files: list[tuple[str, str, bytes]] = [
        (WARC_NAME, "application/warc", build_warc(WARC_NAME, _warc_info(evidence), page.exchanges + shot.exchanges))
    ]
    if shot.png:
        files.append((SCREENSHOT_NAME, "image/png", shot.png))
    stored = [(name, media, storage.put(data), len(data)) for name, media, data in files]
    manifest = _manifest(evidence, page, shot, stored)
    signature = signing.sign(manifest)
    token, stamped_at, stamp_note = None, None, ""
    if timestamps.tsa_url():
        try:
            stamp = asyncio.run(_stamp(manifest))
            token, stamped_at = stamp.der, stamp.at
        except timestamps.TimestampError as exc:
            stamp_note = f"no time-stamp: {exc}"
    else:
        stamp_note = "no time-stamp: no authority configured (SENTINELLE_TSA_URL)"
    with transaction.atomic():
        for name, media, digest, size in stored:
            EvidenceFile.objects.create(evidence=evidence, name=name, media_type=media, sha256=digest, size=size)
        _step(
            evidence,
            CaptureStatus.DONE,
            manifest=manifest.decode("utf-8"),
            manifest_sha256=hashlib.sha256(manifest).hexdigest(),
            signature=signature,
            key_fingerprint=signing.fingerprint(signing.society_public_key()),
            timestamp_token=token,
            timestamped_at=stamped_at,
            timestamp_note=stamp_note,
            finished_at=timezone.now(),
        )
        custody.record(
            evidence.site,
            actor=evidence.requested_by,
            action=CustodyAction.CAPTURED,
            subject=f"evidence {evidence.pk}: {evidence.url}"[:500],
            evidence=evidence,
            details={"manifest_sha256": evidence.manifest_sha256, "files": {n: d for n, _m, d, _s in stored}},
        )


def _manifest(
    evidence: Evidence, page: capture.PageCapture, shot: capture.Screenshot, stored: list[tuple[str, str, str, int]]
) -> bytes:
    public_key = signing.society_public_key()
    body: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "evidence": evidence.pk,
        "dossier": evidence.site_id,
        "url": evidence.url,
        "final_url": page.final_url,
        "http_status": page.status,
        "server_address": page.address,
        "redirects": page.redirects,
        "page_title": page.title,
        "favicon_sha256": page.favicon_sha256,
        "captured_at": custody.iso_utc(page.at),
        "agent": {
            "software": software(),
            "user_agent": fetch.user_agent(),
            "operator": custody.actor_label(evidence.requested_by),
            "society": settings.SENTINELLE_SOCIETY["name"],
        },
        "screenshot": shot.note,
        "privacy": {
            "cookies_sent": 0,
            "cookies_stored": 0,
            "browser_cookies_at_close": shot.cookies_held,
            "visitor_data": "none",
        },
        "files": [{"name": n, "media_type": m, "sha256": d, "size": s} for n, m, d, s in stored],
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key": signing.public_pem(public_key),
            "fingerprint": signing.fingerprint(public_key),
        },
    }
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def check_stored_files(evidence: Evidence) -> dict[str, str]:
    """{file name: what is wrong} for the capture's files that no longer match their hash."""
    problems: dict[str, str] = {}
    for row in evidence.files.all():
        problem = storage.check(row.sha256)
        if problem:
            problems[row.name] = problem
    return problems


def record_view(evidence: Evidence, *, actor: User, reason: str = "") -> None:
    custody.record(
        evidence.site,
        actor=actor,
        action=CustodyAction.VIEWED,
        subject=f"evidence {evidence.pk}",
        evidence=evidence,
        reason=reason or "opened the evidence page",
    )


def record_download(evidence: Evidence, file: EvidenceFile, *, actor: User, reason: str) -> None:
    if not reason.strip():
        raise InvestigationError(_("Say why you download this file."), code="reason_required")
    custody.record(
        evidence.site,
        actor=actor,
        action=CustodyAction.DOWNLOADED,
        subject=f"evidence {evidence.pk}: {file.name}",
        evidence=evidence,
        reason=reason,
        details={"sha256": file.sha256},
    )


def record_transfer(site: Site, *, actor: User, recipient: str, reason: str, evidence: Evidence | None = None) -> None:
    if not recipient.strip() or not reason.strip():
        raise InvestigationError(_("Say to whom and why the evidence is handed over."), code="reason_required")
    subject = f"evidence {evidence.pk}" if evidence else f"dossier {site.pk}"
    custody.record(
        site,
        actor=actor,
        action=CustodyAction.TRANSFERRED,
        subject=subject,
        evidence=evidence,
        reason=reason,
        details={"recipient": recipient.strip()[:300], "at": custody.iso_utc(dt.datetime.now(dt.UTC))},
    )
