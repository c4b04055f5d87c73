"""The CWR 2.1 and 2.2 grammar: record type → fields as (name, start, length, type).

``LAYOUTS`` is the whole grammar the reader knows, with 0-based starts;
:func:`parse_record` slices one line by its layout. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sentinelle.catalogue.cwr.records import CWRError

FieldType = Literal["str", "int", "share", "hms", "flag"]

#: (name, start, length, type); start is 0-based.
FieldSpec = tuple[str, int, int, FieldType]

_TX_PREFIX: list[FieldSpec] = [
    ("record_type", 0, 3, "str"),
    ("transaction_seq", 3, 8, "int"),
    ("record_seq", 11, 8, "int"),
]

_WORK: list[FieldSpec] = [
    ("title", 19, 60, "str"),
    ("language", 79, 2, "str"),
    ("submitter_work_number", 81, 14, "str"),
    ("iswc", 95, 11, "str"),
    ("copyright_date", 106, 8, "str"),
    ("copyright_number", 114, 12, "str"),
    ("distribution_category", 126, 3, "str"),
    ("duration", 129, 6, "hms"),
    ("recorded", 135, 1, "flag"),
    ("text_music_relationship", 136, 3, "str"),
    ("composite_type", 139, 3, "str"),
    ("version_type", 142, 3, "str"),
    ("excerpt_type", 145, 3, "str"),
    ("music_arrangement", 148, 3, "str"),
    ("lyric_adaptation", 151, 3, "str"),
    ("contact_name", 154, 30, "str"),
    ("contact_id", 184, 10, "str"),
    ("work_type", 194, 2, "str"),
    ("grand_rights", 196, 1, "flag"),
    ("composite_component_count", 197, 3, "int"),
    ("printed_edition_date", 200, 8, "str"),
    ("exceptional_clause", 208, 1, "flag"),
    ("opus_number", 209, 25, "str"),
    ("catalogue_number", 234, 25, "str"),
    ("priority", 259, 1, "flag"),
]

_PUBLISHER: list[FieldSpec] = [
    ("publisher_sequence", 19, 2, "int"),
    ("ip_number", 21, 9, "str"),
    ("name", 30, 45, "str"),
    ("unknown", 75, 1, "flag"),
    ("publisher_type", 76, 2, "str"),
    ("tax_id", 78, 9, "str"),
    ("ipi_name_number", 87, 11, "str"),
    ("submitter_agreement_number", 98, 14, "str"),
    ("pr_society", 112, 3, "str"),
    ("pr_share", 115, 5, "share"),
    ("mr_society", 120, 3, "str"),
    ("mr_share", 123, 5, "share"),
    ("sr_society", 128, 3, "str"),
    ("sr_share", 131, 5, "share"),
    ("special_agreements", 136, 1, "str"),
    ("first_recording_refusal", 137, 1, "flag"),
    ("ipi_base_number", 139, 13, "str"),
    ("isac", 152, 14, "str"),
    ("society_agreement_number", 166, 14, "str"),
    ("agreement_type", 180, 2, "str"),
    ("usa_license", 182, 1, "str"),
]

_WRITER: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("last_name", 28, 45, "str"),
    ("first_name", 73, 30, "str"),
    ("unknown", 103, 1, "flag"),
    ("designation", 104, 2, "str"),
    ("tax_id", 106, 9, "str"),
    ("ipi_name_number", 115, 11, "str"),
    ("pr_society", 126, 3, "str"),
    ("pr_share", 129, 5, "share"),
    ("mr_society", 134, 3, "str"),
    ("mr_share", 137, 5, "share"),
    ("sr_society", 142, 3, "str"),
    ("sr_share", 145, 5, "share"),
    ("reversionary", 150, 1, "str"),
    ("first_recording_refusal", 151, 1, "flag"),
    ("work_for_hire", 152, 1, "flag"),
    ("ipi_base_number", 154, 13, "str"),
    ("personal_number", 167, 12, "str"),
    ("usa_license", 179, 1, "str"),
]

_PUBLISHER_TERRITORY: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("pr_collection_share", 34, 5, "share"),
    ("mr_collection_share", 39, 5, "share"),
    ("sr_collection_share", 44, 5, "share"),
    ("inclusion", 49, 1, "str"),
    ("tis_code", 50, 4, "int"),
    ("shares_change", 54, 1, "flag"),
    ("sequence", 55, 3, "int"),
]

_WRITER_TERRITORY: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("pr_collection_share", 28, 5, "share"),
    ("mr_collection_share", 33, 5, "share"),
    ("sr_collection_share", 38, 5, "share"),
    ("inclusion", 43, 1, "str"),
    ("tis_code", 44, 4, "int"),
    ("shares_change", 48, 1, "flag"),
    ("sequence", 49, 3, "int"),
]

_REC_21: list[FieldSpec] = [
    ("release_date", 19, 8, "str"),
    ("release_duration", 87, 6, "hms"),
    ("album_title", 98, 60, "str"),
    ("album_label", 158, 60, "str"),
    ("catalogue_number", 218, 18, "str"),
    ("ean", 236, 13, "str"),
    ("isrc", 249, 12, "str"),
    ("recording_format", 261, 1, "str"),
    ("recording_technique", 262, 1, "str"),
    ("media_type", 263, 3, "str"),
]

# CWR 2.2 appends these to REC (and nothing before them moves).
_REC_22_EXTRA: list[FieldSpec] = [
    ("recording_title", 266, 60, "str"),
    ("version_title", 326, 60, "str"),
    ("display_artist", 386, 60, "str"),
    ("record_label", 446, 60, "str"),
    ("isrc_validity", 506, 20, "str"),
    ("submitter_recording_id", 526, 14, "str"),
]


@dataclass(frozen=True)
class Layout:
    fields: list[FieldSpec]
    #: A shorter line lacks a mandatory field; beyond it, missing trailing fields read as blank.
    min_length: int


_LAYOUTS_21: dict[str, Layout] = {
    "HDR": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("sender_type", 3, 2, "str"),
            ("sender_id", 5, 9, "str"),
            ("sender_name", 14, 45, "str"),
            ("edi_version", 59, 5, "str"),
            ("creation_date", 64, 8, "str"),
            ("creation_time", 72, 6, "str"),
            ("transmission_date", 78, 8, "str"),
            ("character_set", 86, 15, "str"),
            # CWR 2.2 only: blank in 2.1 files.
            ("cwr_version", 101, 3, "str"),
            ("cwr_revision", 104, 3, "str"),
            ("software_package", 107, 30, "str"),
            ("software_version", 137, 30, "str"),
        ],
        min_length=59,
    ),
    "GRH": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("transaction_type", 3, 3, "str"),
            ("group_id", 6, 5, "int"),
            ("version", 11, 5, "str"),
            ("batch_request", 16, 10, "str"),
        ],
        min_length=11,
    ),
    "GRT": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("group_id", 3, 5, "int"),
            ("transaction_count", 8, 8, "int"),
            ("record_count", 16, 8, "int"),
        ],
        min_length=24,
    ),
    "TRL": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("group_count", 3, 5, "int"),
            ("transaction_count", 8, 8, "int"),
            ("record_count", 16, 8, "int"),
        ],
        min_length=24,
    ),
    "NWR": Layout(_TX_PREFIX + _WORK, min_length=95),
    "ACK": Layout(
        [
            *_TX_PREFIX,
            ("creation_date", 19, 8, "str"),
            ("creation_time", 27, 6, "str"),
            ("original_group_id", 33, 5, "int"),
            ("original_transaction_seq", 38, 8, "int"),
            ("original_transaction_type", 46, 3, "str"),
            ("creation_title", 49, 60, "str"),
            ("submitter_creation_number", 109, 20, "str"),
            ("recipient_creation_number", 129, 20, "str"),
            ("processing_date", 149, 8, "str"),
            ("transaction_status", 157, 2, "str"),
        ],
        min_length=159,
    ),
    # Controlled publishers must carry their shares; other publishers may stop after their type.
    "SPU": Layout(_TX_PREFIX + _PUBLISHER, min_length=136),
    "OPU": Layout(_TX_PREFIX + _PUBLISHER, min_length=76),
    "SPT": Layout(_TX_PREFIX + _PUBLISHER_TERRITORY, min_length=54),
    "OPT": Layout(_TX_PREFIX + _PUBLISHER_TERRITORY, min_length=54),
    "SWR": Layout(_TX_PREFIX + _WRITER, min_length=150),
    "OWR": Layout(_TX_PREFIX + _WRITER, min_length=104),
    "SWT": Layout(_TX_PREFIX + _WRITER_TERRITORY, min_length=48),
    "OWT": Layout(_TX_PREFIX + _WRITER_TERRITORY, min_length=48),
    "PWR": Layout(
        [
            *_TX_PREFIX,
            ("publisher_ip_number", 19, 9, "str"),
            ("publisher_name", 28, 45, "str"),
            ("submitter_agreement_number", 73, 14, "str"),
            ("society_agreement_number", 87, 14, "str"),
            ("writer_ip_number", 101, 9, "str"),
            ("publisher_sequence", 110, 2, "int"),  # 2.2 only
        ],
        min_length=28,
    ),
    "ALT": Layout(
        [*_TX_PREFIX, ("title", 19, 60, "str"), ("title_type", 79, 2, "str"), ("language", 81, 2, "str")],
        min_length=81,
    ),
    "PER": Layout(
        [
            *_TX_PREFIX,
            ("last_name", 19, 45, "str"),
            ("first_name", 64, 30, "str"),
            ("ipi_name_number", 94, 11, "str"),
            ("ipi_base_number", 105, 13, "str"),
        ],
        min_length=20,
    ),
    "REC": Layout(_TX_PREFIX + _REC_21, min_length=19),
    "ORN": Layout(
        [
            *_TX_PREFIX,
            ("intended_purpose", 19, 3, "str"),
            ("production_title", 22, 60, "str"),
            ("cd_identifier", 82, 15, "str"),
            ("cut_number", 97, 4, "int"),
            ("library", 101, 60, "str"),
        ],
        min_length=22,
    ),
}
for _alias in ("REV", "ISW", "EXC"):
    _LAYOUTS_21[_alias] = _LAYOUTS_21["NWR"]

_LAYOUTS_22: dict[str, Layout] = {
    **_LAYOUTS_21,
    "REC": Layout(_TX_PREFIX + _REC_21 + _REC_22_EXTRA, min_length=19),
}

#: The grammar, per CWR version.
LAYOUTS: dict[str, dict[str, Layout]] = {"2.1": _LAYOUTS_21, "2.2": _LAYOUTS_22}

WORK_RECORDS = frozenset({"NWR", "REV", "ISW", "EXC"})

#: Record types that exist in CWR 2.x but carry nothing Sentinelle keeps.
SKIPPED_RECORDS = frozenset(
    {
        "AGR", "TER", "IPA", "NPA", "NPN", "NPR", "NAT", "NET", "NCT", "NVT", "NOW", "NWN",
        "EWT", "VER", "COM", "ATT", "INS", "IND", "MSG", "XRF", "ARI",
    }
)  # fmt: skip


def _parse_share(text: str) -> Decimal:
    """CWR shares: 5 digits, 3 before the implied decimal point ("05000" → 50.00)."""
    text = text.strip()
    if not text:
        return Decimal(0)
    if not text.isdigit():
        raise ValueError("is not a share (5 digits, e.g. 05000 for 50%)")
    value = Decimal(int(text)) / 100
    if value > 100:
        raise ValueError("is more than 100%")
    return value


def _parse_hms(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.isdigit() or len(text) != 6:
        raise ValueError("is not a duration (HHMMSS)")
    hours, minutes, seconds = int(text[:2]), int(text[2:4]), int(text[4:])
    if minutes > 59 or seconds > 59:
        raise ValueError("is not a duration (HHMMSS)")
    return hours * 3600 + minutes * 60 + seconds or None


def parse_record(line: str, layout: Layout, line_no: int) -> dict[str, Any]:
    """Slice one line by its layout; raise CWRError on a short line or a bad field."""
    record_type = line[:3]
    if len(line) < layout.min_length:
        raise CWRError(
            line_no,
            f"{record_type} record is too short ({len(line)} characters, at least {layout.min_length} expected)",
            record_type,
        )
    values: dict[str, Any] = {}
    for name, start, length, kind in layout.fields:
        text = line[start : start + length]
        try:
            if kind == "str":
                values[name] = text.strip()
            elif kind == "flag":
                values[name] = text.strip().upper() == "Y"
            elif kind == "int":
                stripped = text.strip()
                if stripped and not stripped.isdigit():
                    raise ValueError("is not a number")
                values[name] = int(stripped) if stripped else None
            elif kind == "share":
                values[name] = _parse_share(text)
            elif kind == "hms":
                values[name] = _parse_hms(text.strip())
        except ValueError as exc:
            human = name.replace("_", " ")
            raise CWRError(line_no, f"{record_type} {human} {text!r} (column {start + 1}) {exc}", record_type) from None
    return values
