"""The cyclic garbage collector held off while a batch is built (``paused``).

A batch such as a 1,000-line submission allocates tens of thousands of small dicts, lists and
objects that all stay reachable until the batch is written. Meanwhile the collector runs every
few hundred allocations and, as those objects survive, rescans them and, every few thousand
lines, the whole heap (Django and the project: ~170,000 objects): measured with
``bench/intake.py`` (issue 14), a third of the intake's CPU time went to passes that found
nothing to free. Reference counting still frees everything the batch drops; only cycles wait
for the next pass after it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_holders = 0  # the batches running now (threads of one process): the last one out resumes it


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Hold the cyclic collector off for the block, unless it was off already (then leave it)."""
    global _holders
    with _lock:
        if _holders == 0 and not gc.isenabled():
            owner = False  # someone else turned it off: not ours to turn back on
        else:
            owner = True
            _holders += 1
            gc.disable()
    try:
        yield
    finally:
        if owner:
            with _lock:
                _holders -= 1
                if _holders == 0:
                    gc.enable()
