"""A small, table-driven reader for CWR 2.1 and 2.2 files. Pure Python, no Django.

- :mod:`.layouts`: the grammar (record type → fixed-width fields) and ``parse_record``;
- :mod:`.records`: what a work transaction yields (``ParsedWork`` and its details) and ``CWRError``;
- :mod:`.reader`: ``CWRReader``, the state machine that groups records into works, and ``read_cwr``.

The public names are re-exported here: ``from sentinelle.catalogue.cwr import CWRReader``.
"""

from sentinelle.catalogue.cwr.layouts import (
    LAYOUTS,
    SKIPPED_RECORDS,
    WORK_RECORDS,
    FieldSpec,
    FieldType,
    Layout,
    parse_record,
)
from sentinelle.catalogue.cwr.reader import CWRFile, CWRReader, decode_line, read_cwr
from sentinelle.catalogue.cwr.records import (
    TRANSACTION_STATUS_REJECTED,
    Acknowledgement,
    AlternateTitle,
    CWRError,
    Header,
    Origin,
    ParsedWork,
    Performer,
    PublisherInterest,
    RecordingDetail,
    WriterInterest,
)

__all__ = [
    "LAYOUTS",
    "SKIPPED_RECORDS",
    "TRANSACTION_STATUS_REJECTED",
    "WORK_RECORDS",
    "Acknowledgement",
    "AlternateTitle",
    "CWRError",
    "CWRFile",
    "CWRReader",
    "FieldSpec",
    "FieldType",
    "Header",
    "Layout",
    "Origin",
    "ParsedWork",
    "Performer",
    "PublisherInterest",
    "RecordingDetail",
    "WriterInterest",
    "decode_line",
    "parse_record",
    "read_cwr",
]
