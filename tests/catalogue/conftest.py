from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cwr_dir(shared_data: Path) -> Path:
    return shared_data / "music-catalogue" / "cwr"


def sample(cwr_dir: Path, name: str) -> Path:
    matches = sorted(cwr_dir.glob(f"*/{name}"))
    assert matches, f"{name} is missing from {cwr_dir}"
    return matches[0]
