from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sentinelle.recipients import cdn, rdap
from tests.recipients.world import World, start_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    started = start_world(tmp_path_factory.mktemp("recipients-world"))
    yield started
    started.stop()


@pytest.fixture
def net(world: World, settings: Any) -> World:
    """The shared world, with the settings that point discovery at it."""
    world.configure(settings)
    rdap.cached_bootstrap.cache_clear()
    cdn.cached_ranges.cache_clear()
    world.rdap_state.clear()
    return world
