"""The custody chain's arithmetic: canonical form, hashes, verification. Imports no Django.

An event is a flat mapping (see ``FIELDS``). Its hash is the SHA-256 of its canonical JSON (sorted
keys, no spaces, UTF-8), which includes the previous event's hash, so that changing or removing
any event changes every hash after it. The first event of a dossier follows ``GENESIS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "site", "at", "actor", "action", "evidence", "subject", "reason", "details", "prev_hash")


def canonical(event: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {name: event.get(name) for name in FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    position: int  # 1-based position in the list checked (the line of a custody.jsonl)
    seq: object
    message: str

    def __str__(self) -> str:
        return f"event {self.seq} (line {self.position}): {self.message}"


def verify_chain(events: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Every break in the chain: an edited event, a removed or inserted one, a reordering."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for position, event in enumerate(events, start=1):
        seq = event.get("seq")
        if seq != expected_seq:
            problems.append(ChainProblem(position, seq, f"number {seq}, expected {expected_seq} (an event is missing)"))
        if event.get("prev_hash") != prev:
            problems.append(ChainProblem(position, seq, "does not follow the event before it"))
        recorded = event.get("hash")
        if recorded != event_hash(event):
            problems.append(ChainProblem(position, seq, "its content does not match its hash (altered)"))
        prev = str(recorded)
        expected_seq = seq + 1 if isinstance(seq, int) else expected_seq + 1
    return problems
