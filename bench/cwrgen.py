"""A generator of realistic CWR 2.1 transmissions, for the catalogue benchmark and tests.

Shaped like the real samples (django-music-publisher's): per work one NWR, 1 to 3 SPU with their
SPT, 1 to 3 SWR with SWT and PWR, one ALT, one PER and one REC. IPI name numbers and ISWCs carry valid
check digits, ISRCs are well formed, and the parties follow a skewed (Zipf-like) distribution: a
few writers and publishers hold many works, most hold a few. Lines are built from the reader's own
grammar (``LAYOUTS``), so a field is always where the reader looks for it.

    from bench.cwrgen import CWRSpec, write_cwr
    write_cwr(path, CWRSpec(works=100_000, writers=20_000, publishers=500, seed=1))
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sentinelle.catalogue.cwr import LAYOUTS
from sentinelle.catalogue.identifiers import ipi_check_digits, iswc_check_digit

_GRAMMAR = LAYOUTS["2.1"]
_WORDS = [
    "amour",
    "nuit",
    "soleil",
    "mer",
    "ville",
    "route",
    "coeur",
    "temps",
    "rose",
    "pluie",
    "vent",
    "ciel",
    "lune",
    "jardin",
    "danse",
    "chanson",
    "silence",
    "lumière",
    "hiver",
    "été",
    "printemps",
    "automne",
    "rivière",
    "étoile",
    "rêve",
    "matin",
    "soir",
    "feu",
    "neige",
    "océan",
]


@dataclass(frozen=True)
class CWRSpec:
    works: int
    writers: int = 20_000
    publishers: int = 500
    seed: int = 1
    sender: str = "PB"  # sender type; the sender id is the first publisher's IP number
    first_work: int = 1  # submitter work numbers are W000000001, …
    broken: frozenset[int] = frozenset()  # work numbers whose NWR has no title (the reader skips them)


def ipi(n: int) -> str:
    """A valid 11-digit IPI name number built from n."""
    nine = f"{n:09d}"
    return f"{nine}{ipi_check_digits(nine):02d}"


def iswc(n: int) -> str:
    nine = f"{n:09d}"
    return f"T{nine}{iswc_check_digit(nine)}"


def writer_ipi(index: int) -> str:
    return ipi(100_000_000 + index)


def publisher_ipi(index: int) -> str:
    return ipi(900_000_000 + index)


def record(record_type: str, values: dict[str, Any]) -> str:
    """One fixed-width line of ``record_type`` with ``values`` placed by the grammar."""
    layout = _GRAMMAR[record_type]
    width = max(start + length for _name, start, length, _kind in layout.fields)
    line = [" "] * width
    for name, start, length, kind in layout.fields:
        value = values.get(name)
        if value is None:
            continue
        if kind == "share":
            text = f"{int(Decimal(value) * 100):05d}"
        elif kind == "int":
            text = f"{int(value):0{length}d}"
        elif kind == "flag":
            text = "Y" if value else "N"
        else:
            text = str(value)[:length].ljust(length)
        line[start : start + length] = list(text[:length].ljust(length))
    line[0:3] = list(record_type)
    return "".join(line).rstrip()


class _Skewed:
    """Indexes 0..n-1 drawn with weight 1/(rank+1): a few very common, most rare."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self._rng = rng
        self._cum = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(n)))
        self._order = list(range(n))
        rng.shuffle(self._order)

    def draw(self, k: int) -> list[int]:
        picks = self._rng.choices(self._order, cum_weights=self._cum, k=k * 2)
        return list(dict.fromkeys(picks))[:k]


def _title(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 4))).upper() + f" {n}"


def _work_records(
    n: int, spec: CWRSpec, rng: random.Random, writers: _Skewed, publishers: _Skewed
) -> list[tuple[str, dict[str, Any]]]:
    """The records of work n (without transaction/record sequence numbers: added by the caller)."""
    title = "" if n in spec.broken else _title(rng, n)
    lines: list[tuple[str, dict[str, Any]]] = [
        ("NWR", {"title": title, "language": "FR", "submitter_work_number": f"W{n:09d}", "iswc": iswc(n),
                 "duration": f"000{rng.randint(1, 5)}{rng.randint(0, 5)}{rng.randint(0, 9)}", "recorded": True,
                 "distribution_category": "POP", "version_type": "ORI"}),
    ]  # fmt: skip
    pubs = publishers.draw(rng.randint(1, 3))
    share = Decimal(50) / len(pubs)
    for seq, p in enumerate(pubs, start=1):
        lines.append(
            ("SPU", {"publisher_sequence": seq, "ip_number": f"P{p:06d}", "name": f"EDITIONS {p}",
                     "publisher_type": "E", "ipi_name_number": publisher_ipi(p), "pr_society": "058",
                     "pr_share": share, "mr_society": "058", "mr_share": Decimal(100) / len(pubs),
                     "sr_society": "058", "sr_share": Decimal(100) / len(pubs)})
        )  # fmt: skip
        lines.append(
            ("SPT", {"ip_number": f"P{p:06d}", "pr_collection_share": share, "inclusion": "I", "tis_code": 2136})
        )
    ws = writers.draw(rng.randint(1, 3))
    share = Decimal(50) / len(ws)
    for i, w in enumerate(ws):
        lines.append(
            ("SWR", {"ip_number": f"W{w:06d}", "last_name": f"AUTEUR{w}", "first_name": "ANNE",
                     "designation": "CA" if i == 0 else "A", "ipi_name_number": writer_ipi(w),
                     "pr_society": "058", "pr_share": share, "mr_society": "058", "mr_share": 0,
                     "sr_society": "058", "sr_share": 0})
        )  # fmt: skip
        lines.append(
            ("SWT", {"ip_number": f"W{w:06d}", "pr_collection_share": share, "inclusion": "I", "tis_code": 2136})
        )
        p = pubs[i % len(pubs)]
        lines.append(
            (
                "PWR",
                {
                    "publisher_ip_number": f"P{p:06d}",
                    "publisher_name": f"EDITIONS {p}",
                    "writer_ip_number": f"W{w:06d}",
                },
            )
        )
    lines.append(("ALT", {"title": _title(rng, n) + " (ALT)", "title_type": "AT", "language": "FR"}))
    lines.append(("PER", {"last_name": f"INTERPRETE{rng.randint(1, 5000)}", "first_name": "JO"}))
    lines.append(
        ("REC", {"release_date": "20200101", "album_title": f"ALBUM {n // 10}", "album_label": "LABEL",
                 "isrc": f"FRZ03{20 + n % 5}{n % 100000:05d}", "recording_format": "A", "recording_technique": "D",
                 "media_type": "CD"})
    )  # fmt: skip
    return lines


def cwr_lines(spec: CWRSpec) -> Iterator[str]:
    rng = random.Random(spec.seed)
    writers = _Skewed(spec.writers, rng)
    publishers = _Skewed(spec.publishers, rng)
    yield record("HDR", {"sender_type": spec.sender, "sender_id": "000000001", "sender_name": "BENCH PUBLISHING",
                         "edi_version": "01.10", "creation_date": "20260101", "creation_time": "120000",
                         "transmission_date": "20260101"})  # fmt: skip
    yield record("GRH", {"transaction_type": "NWR", "group_id": 1, "version": "02.10"})
    records = 2  # HDR, GRH
    group_records = 1
    for tx, n in enumerate(range(spec.first_work, spec.first_work + spec.works)):
        for seq, (record_type, values) in enumerate(_work_records(n, spec, rng, writers, publishers)):
            yield record(record_type, {**values, "transaction_seq": tx, "record_seq": seq})
            records += 1
            group_records += 1
    group_records += 1
    yield record("GRT", {"group_id": 1, "transaction_count": spec.works, "record_count": group_records})
    yield record("TRL", {"group_count": 1, "transaction_count": spec.works, "record_count": records + 2})


def write_cwr(path: Path, spec: CWRSpec) -> Path:
    with path.open("w", encoding="latin-1", newline="\r\n") as fh:
        for line in cwr_lines(spec):
            fh.write(line + "\n")
    return path
