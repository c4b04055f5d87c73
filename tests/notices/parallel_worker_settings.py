"""Settings of the worker subprocesses of test_parallel_delivery.py: the product's lease (600 s), so a
worker never takes a notice another worker is sending for a stale one."""

from tests.notices.worker_settings import *  # noqa: F403

SENTINELLE_NOTICE_SEND_LEASE_SECONDS = 600
