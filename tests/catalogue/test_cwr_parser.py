"""The CWR reader on every sample file, counted independently and by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sentinelle.catalogue.cwr import CWRReader, read_cwr
from tests.catalogue.conftest import sample

SAMPLES = [
    "CW220001000_DMP.V21",
    "CW220001052_DMP.V21",
    "CW220001DMP_000.V21",
    "CW220004DMP_000.V21",
    "demo_cwr_cleaned.v22",
    "nwrexample2.V21",
    "revexample.V21",
]

# Read by hand from the files: works, writers, publishers, alternate titles, version, bad lines.
EXPECTED = {
    "CW220001000_DMP.V21": (2, 2, 2, 4, "2.1", [5, 21]),  # publisher IPI 00000000004 is not valid
    "CW220001052_DMP.V21": (3, 0, 0, 0, "2.1", [10, 11, 12]),  # three ISW with wrong ISWC check digits
    "CW220001DMP_000.V21": (1, 2, 1, 5, "2.1", []),
    "CW220004DMP_000.V21": (1, 2, 1, 5, "2.1", [8]),  # SWT with "XXX00" as a share
    "demo_cwr_cleaned.v22": (9, 13, 23, 0, "2.2", None),  # None: every bad line is an IPI (checked below)
    "nwrexample2.V21": (1, 2, 2, 0, "2.1", []),
    "revexample.V21": (2, 3, 2, 5, "2.1", []),
}


def grep_count(path: Path, *record_types: str, named_at: tuple[int, int] | None = None) -> int:
    """Count lines by record type, as `grep -c ^SWR` would; optionally only those with a name."""
    count = 0
    for line in path.read_bytes().decode("latin-1").splitlines():
        if line[:3] in record_types and (named_at is None or line[named_at[0] : named_at[1]].strip()):
            count += 1
    return count


def test_every_sample_is_covered(cwr_dir: Path) -> None:
    on_disk = {p.name for p in cwr_dir.glob("*/*") if p.suffix.lower() in {".v21", ".v22"}}
    assert on_disk == set(SAMPLES)


@pytest.mark.parametrize("name", SAMPLES)
def test_works_and_interests_match_the_file(cwr_dir: Path, name: str) -> None:
    path = sample(cwr_dir, name)
    parsed = read_cwr(path)
    works, writers, publishers, alternates, version, bad_lines = EXPECTED[name]

    assert parsed.version == version
    assert len(parsed.works) == works == grep_count(path, "NWR", "REV", "ISW", "EXC")
    # An "unknown" OWR/OPU without a name is a share nobody claims, not an interest.
    assert sum(len(w.writers) for w in parsed.works) == writers == grep_count(path, "SWR", "OWR", named_at=(28, 73))
    assert (
        sum(len(w.publishers) for w in parsed.works) == publishers == grep_count(path, "SPU", "OPU", named_at=(30, 75))
    )
    assert sum(len(w.alternate_titles) for w in parsed.works) == alternates == grep_count(path, "ALT")
    if bad_lines is not None:
        assert [e.line_no for e in parsed.errors] == bad_lines


def test_each_record_knows_its_line(cwr_dir: Path) -> None:
    parsed = read_cwr(sample(cwr_dir, "revexample.V21"))
    first, second = parsed.works
    assert (first.line_no, first.submitter_work_number, first.title) == (3, "DMP000001", "THE ONE")
    assert [w.line_no for w in first.writers] == [6]
    assert [a.line_no for a in first.alternate_titles] == [9, 10, 11, 12]
    assert second.line_no == 16
    assert [(w.last_name, w.controlled) for w in second.writers] == [("SMITH", True), ("ADAMS", False)]


def test_writer_fields(cwr_dir: Path) -> None:
    parsed = read_cwr(sample(cwr_dir, "CW220001DMP_000.V21"))
    (work,) = parsed.works
    kolaric, other = work.writers
    assert (kolaric.first_name, kolaric.last_name, kolaric.role) == ("MATIJA", "KOLARIC", "AR")
    assert kolaric.ipi_name_number == "00000000199"
    assert kolaric.pr_share == Decimal("25.00")
    assert kolaric.publisher_ip_numbers == ["P000001"]
    assert (other.role, other.ipi_name_number) == ("AD", "00000000297")
    (publisher,) = work.publishers
    assert (publisher.name, publisher.role, publisher.ipi_name_number) == ("TEST PUBLISHER", "E", "09000000020")
    assert (publisher.pr_share, publisher.mr_share) == (Decimal("37.50"), Decimal("75.00"))
    assert work.iswc == "T1234567894"
    assert parsed.header is not None and parsed.header.sender_code == "09000000020"
    assert parsed.skipped == {"VER": 1}


def test_v22_header_and_right_aligned_work_numbers(cwr_dir: Path) -> None:
    parsed = read_cwr(sample(cwr_dir, "demo_cwr_cleaned.v22"))
    assert parsed.header is not None
    assert (parsed.header.version, parsed.header.revision) == ("2.2", "001")
    assert parsed.header.software.startswith("CURVE ROYALTY SYSTEMS")
    assert [w.submitter_work_number for w in parsed.works][:3] == ["KEY001", "KEY002", "KEY003"]
    assert all("IPI name number" in e.message for e in parsed.errors)
    assert len(parsed.errors) == 35
    assert parsed.skipped == {"XRF": 3, "MSG": 1}
    # The "cleaned" sample kept its original trailer: the counts no longer match, which is a warning.
    assert {w.line_no for w in parsed.warnings} >= {92, 93}


def test_ack_carries_its_work(cwr_dir: Path) -> None:
    parsed = read_cwr(sample(cwr_dir, "CW220001000_DMP.V21"))
    first, second = parsed.works
    assert first.ack is not None and first.ack.status == "AS"
    assert first.ack.recipient_creation_number == "337739ES"
    assert second.ack is not None and second.ack.line_no == 19


def test_ack_without_work_is_a_warning_not_a_work(cwr_dir: Path) -> None:
    parsed = read_cwr(sample(cwr_dir, "CW220001052_DMP.V21"))
    assert [w.record_type for w in parsed.works] == ["ISW", "ISW", "ISW"]
    assert [w.line_no for w in parsed.warnings if "ACK" in w.message] == [3, 4, 5, 6, 7]


def test_rec_reads_the_2_2_extension_only_in_2_2() -> None:
    prefix = "REC0000000000000001" + "20200101" + " " * 60 + "000330" + " " * 5
    body = prefix + "ALBUM".ljust(60) + "LABEL".ljust(60) + " " * 18 + " " * 13 + "FRZ031400123" + "A" + "D" + "CD "
    line = body + "THE RECORDING".ljust(60) + " " * 60 + "THE ARTIST".ljust(60)
    nwr = "NWR0000000000000000" + "A WORK".ljust(60) + "EN" + "W1".ljust(14) + " " * 11
    hdr21 = "HDRPB000000199" + "SENDER".ljust(45) + "01.10" + "20240101120000" + "20240101"
    hdr22 = hdr21 + " " * 15 + "2.2" + "002"
    for header, title, artist in ((hdr21, "", ""), (hdr22, "THE RECORDING", "THE ARTIST")):
        (work,) = read_cwr([header, nwr, line]).works
        (rec,) = work.recordings
        assert (rec.isrc, rec.duration_seconds, rec.album_title) == ("FRZ031400123", 210, "ALBUM")
        assert (rec.recording_title, rec.display_artist) == (title, artist)


def test_crlf_latin1_and_utf8_lines() -> None:
    hdr = "HDRPB000000199" + "SENDER".ljust(45) + "01.10"
    latin = ("NWR0000000000000000" + "CAFÉ".ljust(60) + "FR" + "W1".ljust(14)).encode("latin-1")
    utf8 = ("NWR0000000100000000" + "NOËL".ljust(60) + "FR" + "W2".ljust(14)).encode("utf-8")
    data = hdr.encode() + b"\r\n" + latin + b"\r\n" + utf8 + b"\n"
    works = read_cwr(data).works
    assert [(w.title, w.language, w.submitter_work_number) for w in works] == [
        ("CAFÉ", "FR", "W1"),
        ("NOËL", "FR", "W2"),
    ]


def test_a_truncated_writer_is_reported_and_the_rest_is_read(cwr_dir: Path) -> None:
    lines = sample(cwr_dir, "revexample.V21").read_text("latin-1").splitlines()
    assert lines[5].startswith("SWR")
    lines[5] = lines[5][:60]
    reader = CWRReader(lines)
    works = list(reader)
    assert len(works) == 2
    assert works[0].writers == []
    assert [e.line_no for e in reader.errors] == [6]
    assert "too short" in reader.errors[0].message


def test_a_bad_work_header_skips_that_work_only(cwr_dir: Path) -> None:
    lines = sample(cwr_dir, "revexample.V21").read_text("latin-1").splitlines()
    assert lines[15].startswith("REV")
    lines[15] = lines[15][:19] + " " * 60 + lines[15][79:]  # no title
    reader = CWRReader(lines)
    works = list(reader)
    assert [w.title for w in works] == ["THE ONE"]
    # One error for the work; its SPU, SWR… are not reported again.
    assert [(e.line_no, "no work title" in e.message) for e in reader.errors] == [(16, True)]


def test_a_file_that_is_not_cwr_stops_at_once(tmp_path: Path) -> None:
    reader = CWRReader(b"work_code,title\nW1,Hello\n")
    assert list(reader) == []
    assert [e.line_no for e in reader.errors] == [1, 1]


def test_unknown_record_type_and_orphan_details_are_errors() -> None:
    hdr = "HDRPB000000199" + "SENDER".ljust(45) + "01.10"
    alt = "ALT0000000000000001" + "X".ljust(60) + "AT"
    reader = CWRReader([hdr, alt, "ZZZ000000000000000"])
    assert list(reader) == []
    assert [(e.line_no, e.message.split()[0]) for e in reader.errors] == [(2, "ALT"), (3, "unknown")]
