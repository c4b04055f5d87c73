"""Settings of the worker subprocesses started by test_crash.py (the product's, plus two test knobs)."""

from sentinelle.settings import *  # noqa: F403

# A worker restarted by the test treats every notice left "sending" as stale at once.
SENTINELLE_NOTICE_SEND_LEASE_SECONDS = 0
SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
