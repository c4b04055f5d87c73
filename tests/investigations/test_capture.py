"""Evidence capture: the HTTP exchange as WARC, hashes, signed manifest, time-stamp, privacy."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from sentinelle.investigations import signing, storage, timestamps
from sentinelle.investigations.models import CaptureStatus, CustodyAction, CustodyEvent
from sentinelle.investigations.services import evidence
from tests.investigations import fixture_site

CHROMIUM = os.environ.get("SENTINELLE_CHROMIUM", "/usr/bin/chromium")


def _records(row):
    """(record, its payload) pairs: a record's payload must be read before the next one."""
    warc = row.files.get(name="response.warc.gz")
    return [(r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(storage.read(warc.sha256)))]


def _capture(env, dossier, investigator, url, **kwargs):
    row = evidence.request_captures(dossier, [url], actor=investigator)[0]
    return evidence.run_capture(row.pk, **kwargs)


@pytest.mark.django_db
def test_a_capture_writes_the_exchange_as_warc_with_the_servers_address(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/album/7"))
    assert row.status == CaptureStatus.DONE
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r, _body in _records(row)]
    page = capture_env.url("/album/7")
    assert records[:3] == [("warcinfo", None), ("request", page), ("response", page)]
    response, body = next((r, b) for r, b in _records(row) if r.rec_type == "response")
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert b"/album/7" in body
    assert row.peer_address == "127.0.0.1"


@pytest.mark.django_db
def test_the_manifest_lists_every_file_by_sha256_and_is_signed(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    manifest = json.loads(row.manifest)
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {f.name: f.sha256 for f in row.files.all()}
    for f in row.files.all():
        assert storage.check(f.sha256) is None
    assert manifest["captured_at"].endswith("Z")
    assert manifest["agent"]["operator"].endswith(f"<{investigator.email}>")
    key = signing.load_public_pem(manifest["signing_key"]["public_key"])
    assert signing.verify(key, row.manifest.encode(), row.signature)
    assert not signing.verify(key, row.manifest.encode() + b" ", row.signature)


@pytest.mark.django_db
def test_a_redirect_is_recorded_hop_by_hop(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/old", fixture_site.MIRROR))
    assert row.final_url == capture_env.url("/")
    assert row.redirect_chain[0]["status"] == 301
    responses = [r for r, _body in _records(row) if r.rec_type == "response"]
    assert responses[0].http_headers.get_statuscode() == "301"
    assert responses[0].rec_headers.get_header("WARC-Target-URI") == capture_env.url("/old", fixture_site.MIRROR)


@pytest.mark.django_db
def test_the_capture_is_a_custody_event(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    event = CustodyEvent.objects.get(evidence=row)
    assert event.action == CustodyAction.CAPTURED
    assert event.details["manifest_sha256"] == row.manifest_sha256


@pytest.mark.django_db
def test_the_manifest_is_time_stamped_when_an_authority_is_configured(capture_env, dossier, investigator, with_tsa):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    roots = timestamps.load_roots(with_tsa.root_pem)
    valid, why, at = timestamps.verify_token(bytes(row.timestamp_token), row.manifest.encode(), roots)
    assert (valid, why) == (True, "valid")
    assert at is not None and row.timestamped_at == at


@pytest.mark.django_db
def test_without_an_authority_the_capture_says_it_has_no_time_stamp(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    assert row.timestamp_token is None
    assert "no authority configured" in row.timestamp_note


@pytest.mark.django_db
def test_an_unreachable_page_is_a_failed_capture_with_its_reason(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, "http://nowhere.test/")
    assert row.status == CaptureStatus.FAILED
    assert row.error.startswith("dns_failure")


@pytest.mark.django_db
def test_the_ssrf_guard_applies_to_captures(capture_env, dossier, investigator, settings):
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = False
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    assert row.status == CaptureStatus.FAILED
    assert row.error.startswith("blocked_address")


@pytest.mark.django_db
def test_a_finished_capture_is_not_run_again(capture_env, dossier, investigator):
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"))
    before = len(capture_env.requests)
    assert evidence.run_capture(row.pk).manifest_sha256 == row.manifest_sha256
    assert len(capture_env.requests) == before


@pytest.mark.django_db
def test_the_store_is_write_once_and_reports_a_later_change(evidence_settings):
    digest = storage.put(b"evidence bytes")
    path = storage.path_for(digest)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # read-only (root ignores the mode)
    assert storage.put(b"evidence bytes") == digest
    path.chmod(0o644)
    path.write_bytes(b"evidence bytez")
    assert "altered" in (storage.check(digest) or "")


@pytest.mark.django_db
def test_no_cookie_is_sent_to_the_site(capture_env, dossier, investigator):
    _capture(capture_env, dossier, investigator, capture_env.url("/"))
    _capture(capture_env, dossier, investigator, capture_env.url("/album/2"))
    assert capture_env.cookies_received() == []


@pytest.mark.django_db
def test_without_chromium_the_capture_records_why_there_is_no_screenshot(capture_env, dossier, investigator, settings):
    settings.SENTINELLE_CHROMIUM = "/nonexistent/chromium"
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"), screenshot=True)
    assert row.status == CaptureStatus.DONE
    assert row.screenshot_note == "no screenshot: Chromium is not installed at /nonexistent/chromium"
    assert not row.files.filter(name="screenshot.png").exists()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"BROWSER TEST SKIPPED: Chromium is absent ({CHROMIUM})")
@pytest.mark.django_db
def test_the_screenshot_is_taken_without_sending_or_keeping_cookies(capture_env, dossier, investigator, settings):
    settings.SENTINELLE_CHROMIUM = CHROMIUM
    row = _capture(capture_env, dossier, investigator, capture_env.url("/"), screenshot=True)
    shot = row.files.get(name="screenshot.png")
    assert storage.read(shot.sha256).startswith(b"\x89PNG")
    manifest = json.loads(row.manifest)
    assert manifest["privacy"]["browser_cookies_at_close"] == 0
    assert capture_env.cookies_received() == []
    # The page's style sheet and image came through the safe fetcher and are in the WARC.
    uris = {r.rec_headers.get_header("WARC-Target-URI") for r, _b in _records(row) if r.rec_type == "response"}
    assert capture_env.url("/logo.png") in uris
