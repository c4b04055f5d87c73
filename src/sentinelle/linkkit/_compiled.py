"""Which implementation of linkkit's hot path runs: compiled by mypyc, or the Python sources.

``setup.py`` compiles the modules of ``COMPILED_MODULES`` with mypyc when a C compiler is at
hand, puts the extension modules beside the sources, and writes ``MANIFEST``: the SHA-256 of each
source it compiled. Python prefers an extension module to a source file of the same name, so a
source edited after the build would silently lose to its stale compiled copy. ``select`` runs
before any of those modules is imported and keeps the compiled ones only when every one is
present and was built from the sources as they are now; otherwise every one of them is loaded
from its source file (and a warning says why, unless the build never produced any).

``SENTINELLE_LINKKIT_PURE=1`` forces the sources (the test suite runs linkkit's tests both ways).
This module imports only the standard library: ``setup.py`` loads it by path.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# In import order: each imports only modules before it.
COMPILED_MODULES: tuple[str, ...] = (
    "errors",
    "tracking",
    "psl",
    "filekeys",
    "identity",
    "registry",
    "canonical",
    "shorteners",
    "unwrap",
    "classify",
)
MANIFEST = "_compiled.json"
SHARED_LIBRARY = "_native__mypyc"  # the runtime mypyc builds for the group "sentinelle.linkkit._native"
PURE_ENV = "SENTINELLE_LINKKIT_PURE"

HERE = Path(__file__).resolve().parent


def source_digests(directory: Path, modules: Sequence[str] = COMPILED_MODULES) -> dict[str, str]:
    """SHA-256 of each module's source file in ``directory``."""
    return {name: hashlib.sha256((directory / f"{name}.py").read_bytes()).hexdigest() for name in modules}


def extension_path(directory: Path, name: str) -> Path | None:
    """The compiled module ``name`` in ``directory`` for this interpreter, if there is one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def compiled_state(directory: Path = HERE) -> tuple[bool, str]:
    """(whether the compiled modules in ``directory`` may be used, why not when they may not)."""
    present = [name for name in COMPILED_MODULES if extension_path(directory, name) is not None]
    if not present:
        return False, "not compiled (no C compiler or mypyc at install time)"
    if extension_path(directory, SHARED_LIBRARY) is None:  # the runtime every compiled module imports
        return False, f"the compiled runtime {SHARED_LIBRARY} is missing"
    try:
        built = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return False, f"{MANIFEST} is missing or unreadable"
    missing = [name for name in COMPILED_MODULES if name not in present]
    if missing:
        return False, f"compiled modules missing: {', '.join(missing)}"
    changed = [name for name, digest in source_digests(directory).items() if built.get(name) != digest]
    if changed:
        return False, f"sources changed since the build: {', '.join(changed)}"
    return True, ""


class _SourcesFirst:
    """A meta-path finder that loads the hot-path modules from their ``.py`` files."""

    def __init__(self, package: str, directory: Path) -> None:
        self.prefix = package + "."
        self.directory = directory

    def find_spec(self, fullname: str, path: object = None, target: ModuleType | None = None) -> object:
        if not fullname.startswith(self.prefix):
            return None
        name = fullname[len(self.prefix) :]
        if name not in COMPILED_MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, self.directory / f"{name}.py")


# Set by ``select``: True when the compiled modules run, and the reason when they don't.
COMPILED = False
REASON = "not selected yet"


def select(package: str) -> bool:
    """Choose the implementation before the hot-path modules of ``package`` are imported."""
    global COMPILED, REASON
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        usable, reason = False, f"{PURE_ENV} is set"
    else:
        usable, reason = compiled_state()
        if not usable and extension_path(HERE, "canonical") is not None:  # a build is there, unusable
            warnings.warn(
                f"linkkit runs from its Python sources, not its compiled build: {reason}. "
                "Rebuild with `make build` (or `pip install -e .`).",
                RuntimeWarning,
                stacklevel=3,
            )
    if not usable and not any(isinstance(finder, _SourcesFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourcesFirst(package, HERE))  # type: ignore[arg-type]
    COMPILED, REASON = usable, reason
    return usable
