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
from collections.abc import Callable, Iterator


class Held:
    """A process-wide setting held while any thread is inside ``held()``: the first one in applies
    it (``apply`` returns how to undo it), the last one out undoes it. Used for the collector below
    and for the interpreter's switch interval during a pipelined import (takedowns.services.bulk)."""

    def __init__(self, apply: Callable[[], Callable[[], object]]) -> None:
        self._apply = apply
        self._lock = threading.Lock()
        self._holders = 0  # the blocks running now (threads of one process)
        self._undo: Callable[[], object] = _nothing

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._undo = self._apply()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._undo()


def _nothing() -> None:
    return None


def _disable() -> Callable[[], object]:
    if not gc.isenabled():
        return _nothing  # someone else turned it off: not ours to turn back on
    gc.disable()
    return gc.enable


_paused = Held(_disable)


def paused() -> contextlib.AbstractContextManager[None]:
    """Hold the cyclic collector off for the block, unless it was off already (then leave it)."""
    return _paused.held()
