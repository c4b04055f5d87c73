"""Capture -> export -> verify; one changed byte anywhere is named; the PDF shows the site."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from sentinelle.investigations import dossierzip
from sentinelle.investigations.models import CustodyAction, CustodyEvent
from sentinelle.investigations.services import export


@pytest.fixture
def exported(captured, dossier, investigator, tmp_path: Path) -> Path:
    out = tmp_path / "dossier.zip"
    export.export_dossier(dossier, out, actor=investigator, reason="for the public prosecutor of Paris")
    return out


def rewrite(source: Path, target: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the ZIP with one member changed by ``change(bytes) -> bytes``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == name else data)
    return target


def flip_byte(offset: int):  # type: ignore[no-untyped-def]
    def change(data: bytes) -> bytes:
        index = offset % len(data)
        return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]

    return change


def verify(path: Path) -> list[str]:
    try:
        call_command("verify_dossier", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        return str(exc).split(" problem(s): ", 1)[1].split("; ")
    return []


@pytest.mark.django_db
def test_an_untouched_export_verifies(exported):
    assert verify(exported) == []


@pytest.mark.django_db
def test_the_export_has_the_judicial_layout(exported, captured):
    names = set(zipfile.ZipFile(exported).namelist())
    first = f"evidence/{captured[0].pk}/"
    assert {"report.pdf", "manifest.json", "manifest.json.sig", "custody.jsonl", "signing-key.pem"} <= names
    assert {first + "response.warc.gz", first + "capture.json", first + "capture.json.sig"} <= names


@pytest.mark.django_db
def test_the_export_is_a_custody_event_inside_the_export(exported, dossier):
    event = CustodyEvent.objects.filter(site=dossier).order_by("-seq").first()
    assert event.action == CustodyAction.EXPORTED
    assert event.reason == "for the public prosecutor of Paris"
    lines = zipfile.ZipFile(exported).read("custody.jsonl").decode().splitlines()
    assert json.loads(lines[-1])["hash"] == event.hash


@pytest.mark.django_db
def test_one_changed_byte_in_an_evidence_file_is_named(exported, captured, tmp_path):
    name = f"evidence/{captured[0].pk}/response.warc.gz"
    problems = verify(rewrite(exported, tmp_path / "x.zip", name, flip_byte(100)))
    assert any(p.startswith(f"{name}: altered") for p in problems)
    assert any(p.startswith(f"{name}: differs from the hash signed at capture time") for p in problems)


@pytest.mark.django_db
def test_one_changed_byte_in_the_manifest_is_named(exported, tmp_path):
    def change(data: bytes) -> bytes:
        return data.replace(b'"status": "watch"', b'"status": "watcH"', 1)

    problems = verify(rewrite(exported, tmp_path / "x.zip", "manifest.json", change))
    assert problems == ["manifest.json: altered (its signature manifest.json.sig does not match it)"]


@pytest.mark.django_db
def test_one_changed_byte_in_a_custody_event_is_named(exported, tmp_path):
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[1] = lines[1].replace(b"Hugo", b"Hugp", 1)
        return b"\n".join(lines)

    problems = verify(rewrite(exported, tmp_path / "x.zip", "custody.jsonl", change))
    assert "custody.jsonl: altered (its SHA-256 differs from the manifest's)" in problems
    assert any(p.startswith("custody.jsonl: event 2 (line 2): its content does not match its hash") for p in problems)


@pytest.mark.django_db
def test_a_removed_custody_event_is_named(exported, tmp_path):
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        return b"\n".join(lines[:1] + lines[2:])

    problems = verify(rewrite(exported, tmp_path / "x.zip", "custody.jsonl", change))
    assert any("event 3 (line 2): number 3, expected 2" in p for p in problems)


@pytest.mark.django_db
def test_an_added_file_is_named(exported, tmp_path):
    target = tmp_path / "x.zip"
    rewrite(exported, target, "", lambda d: d)
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("evidence/extra.txt", b"planted")
    assert verify(target) == ["evidence/extra.txt: added (not listed in the manifest)"]


@pytest.mark.django_db
def test_the_time_stamp_is_checked_against_the_manifests_hash(capture_env, dossier, investigator, with_tsa, tmp_path):
    from sentinelle.investigations.services import evidence

    row = evidence.run_capture(evidence.request_captures(dossier, [capture_env.url("/")], actor=investigator)[0].pk)
    out = tmp_path / "stamped.zip"
    export.export_dossier(dossier, out, actor=investigator, reason="court")
    report = dossierzip.verify_zip(out, tsa_roots_pem=with_tsa.root_pem)
    assert report.intact, report.problems
    assert any(n.startswith("manifest.json.tsr: valid") for n in report.notes)
    # The capture's own token, put in the manifest token's place: valid, but for another content.
    capture_token = bytes(row.timestamp_token)
    swapped = rewrite(out, tmp_path / "swapped.zip", "manifest.json.tsr", lambda _d: capture_token)
    problems = dossierzip.verify_zip(swapped, tsa_roots_pem=with_tsa.root_pem).problems
    assert problems == ["manifest.json.tsr: the token is for another content (hash differs)"]


@pytest.mark.django_db
def test_a_token_from_an_untrusted_authority_is_refused(capture_env, dossier, investigator, with_tsa, tmp_path):
    from sentinelle.investigations.services import evidence
    from tests.investigations.tsa import make_tsa

    evidence.run_capture(evidence.request_captures(dossier, [capture_env.url("/")], actor=investigator)[0].pk)
    out = tmp_path / "stamped.zip"
    export.export_dossier(dossier, out, actor=investigator, reason="court")
    other_root = make_tsa().root_pem
    problems = dossierzip.verify_zip(out, tsa_roots_pem=other_root).problems
    assert any(p.startswith("manifest.json.tsr: the authority's signature does not verify") for p in problems)


@pytest.mark.django_db
def test_a_manifest_signed_by_another_key_is_named(exported, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sentinelle.investigations import signing

    other = signing.public_pem(Ed25519PrivateKey.generate().public_key()).encode()
    problems = dossierzip.verify_zip(exported, trusted_key_pem=other).problems
    assert len(problems) == 1 and "not with the society's key" in problems[0]


@pytest.mark.django_db
def test_the_report_opens_and_shows_the_sites_name(exported, dossier):
    pdf = PdfReader(io.BytesIO(zipfile.ZipFile(exported).read("report.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert f"Dossier: {dossier.name}" in text
    assert "pirate.test" in text


@pytest.mark.django_db
def test_an_altered_stored_file_stops_the_export(captured, dossier, investigator, tmp_path):
    from sentinelle.investigations import storage

    path = storage.path_for(captured[0].files.get(name="response.warc.gz").sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(export.InvestigationError, match="no longer matches its hash"):
        export.export_dossier(dossier, tmp_path / "x.zip", actor=investigator, reason="court")
