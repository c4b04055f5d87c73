"""The CWR importer: each work of a CWR file becomes a WorkData, written by the batch."""

from __future__ import annotations

import os
from pathlib import Path

from sentinelle.catalogue.cwr import CWRReader, ParsedWork, PublisherInterest, WriterInterest
from sentinelle.catalogue.models import PartyKind
from sentinelle.catalogue.services.data import (
    ImportIssue,
    ImportReport,
    InterestData,
    Progress,
    WorkData,
    name_key,
    scoped_number,
)
from sentinelle.catalogue.services.writer import BATCH_SIZE, CatalogueWriter


def _cwr_work_data(work: ParsedWork, source: str) -> WorkData:
    data = WorkData(
        line=work.line_no,
        work_code=scoped_number(work.sender_code, work.submitter_work_number),
        title=work.title,
        iswc=work.iswc,
        language=work.language,
        duration_seconds=work.duration_seconds,
        source=source,
        alternate_titles=[(t.title, t.title_type, t.language) for t in work.alternate_titles],
    )
    data.interests += [_cwr_writer_interest(writer, work.sender_code) for writer in work.writers]
    data.interests += [_cwr_publisher_interest(publisher, work.sender_code) for publisher in work.publishers]
    data.recordings = _cwr_recordings(work)
    return data


def _cwr_writer_interest(writer: WriterInterest, sender: str) -> InterestData:
    number = writer.ip_number or name_key(writer.last_name, writer.first_name)
    return InterestData(
        line=writer.line_no,
        kind=PartyKind.WRITER,
        party_number=scoped_number(sender, number),
        name=writer.last_name,
        first_name=writer.first_name,
        ipi_name_number=writer.ipi_name_number,
        role=writer.role,
        pr_share=writer.pr_share,
        mr_share=writer.mr_share,
        sr_share=writer.sr_share,
        pr_society=writer.pr_society,
        mr_society=writer.mr_society,
        sr_society=writer.sr_society,
    )


def _cwr_publisher_interest(publisher: PublisherInterest, sender: str) -> InterestData:
    number = publisher.ip_number or name_key(publisher.name)
    return InterestData(
        line=publisher.line_no,
        kind=PartyKind.PUBLISHER,
        party_number=scoped_number(sender, number),
        name=publisher.name,
        first_name="",
        ipi_name_number=publisher.ipi_name_number,
        role=publisher.role,
        pr_share=publisher.pr_share,
        mr_share=publisher.mr_share,
        sr_share=publisher.sr_share,
        pr_society=publisher.pr_society,
        mr_society=publisher.mr_society,
        sr_society=publisher.sr_society,
    )


def _cwr_recordings(work: ParsedWork) -> list[tuple[str, str, str]]:
    """(ISRC, performer, title) per REC; PER names the performers even when no recording is described."""
    performers = [p.name for p in work.performers]
    recordings = []
    for rec in work.recordings:
        performer = rec.display_artist or ", ".join(performers)
        title = rec.recording_title or rec.album_title
        if rec.isrc or title or performer:
            recordings.append((rec.isrc, performer, title))
    if not work.recordings:
        recordings += [("", name, "") for name in performers]
    return recordings


def import_cwr_file(
    path: str | os.PathLike[str], *, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Import one CWR 2.1/2.2 file. Raises OSError when the file cannot be opened.

    The file is read as a stream and written by the batch (services/writer.py): memory stays
    flat whatever the file's size.
    """
    path = Path(path)
    source = str(path)
    with path.open("rb"):
        pass  # fail early, before any work, when the file is missing or unreadable
    report = ImportReport(files=[source])
    reader = CWRReader(path)
    writer = CatalogueWriter(report, progress=progress, batch_size=batch_size)
    seen_lines = 0
    for parsed in reader:
        lines, seen_lines = reader.lines_read - seen_lines, reader.lines_read
        if parsed.ack is not None and parsed.ack.rejected:
            report.warnings.append(
                ImportIssue(
                    source, parsed.line_no, f"{parsed.submitter_work_number} was rejected (ACK RJ): not imported"
                )
            )
            report.works_skipped += 1
            writer.add_units(lines)
            continue
        writer.add(_cwr_work_data(parsed, source), lines)
    writer.add_units(reader.lines_read - seen_lines)
    writer.close()
    report.errors += [ImportIssue(source, e.line_no, e.message) for e in reader.errors]
    report.warnings += [ImportIssue(source, e.line_no, e.message) for e in reader.warnings]
    report.skipped_records.update(reader.skipped)
    report.errors.sort(key=lambda issue: issue.line)
    report.warnings.sort(key=lambda issue: issue.line)
    return report
