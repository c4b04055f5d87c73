"""core.collector.paused: the cyclic collector is held off for a block, and left as it was found."""

from __future__ import annotations

import gc
import threading

from sentinelle.core import collector


def test_the_collector_is_off_within_the_block_and_back_on_after_it_even_after_an_error():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: the inner block does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector.paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_two_threads_the_last_one_out_turns_it_back_on():
    inside, release = threading.Event(), threading.Event()

    def batch() -> None:
        with collector.paused():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=batch)
    other.start()
    assert inside.wait(10)
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other batch still runs
    release.set()
    other.join(10)
    assert gc.isenabled()
