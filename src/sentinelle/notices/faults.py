"""Fault injection for the crash tests: a worker that SIGKILLs itself at a named point.

Off unless the *environment* of the worker process sets ``SENTINELLE_NOTICE_CRASH_AT`` (a point
name) — never a setting, so no deployed configuration can turn it on by mistake.
``SENTINELLE_NOTICE_CRASH_ON`` (default 1) picks the n-th time the point is reached.
Points, in delivery order: ``after_claim``, ``mid_data`` (e-mail body sent, final dot not yet),
``after_commit_point`` (point of no return recorded, final dot not yet sent), ``after_send``
(the server has the whole message; nothing recorded yet).
"""

from __future__ import annotations

import os
import signal

_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    wanted = os.environ.get("SENTINELLE_NOTICE_CRASH_AT")
    if not wanted or wanted != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == int(os.environ.get("SENTINELLE_NOTICE_CRASH_ON", "1")):
        os.kill(os.getpid(), signal.SIGKILL)
