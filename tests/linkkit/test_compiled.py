"""The choice between linkkit's compiled build and its Python sources (``linkkit/_compiled.py``).

A compiled module shadows its source file, so a source edited after the build must not run as its
stale compiled copy: the build is used only when every module is there and was built from the
sources as they are now.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sentinelle.linkkit as linkkit
from sentinelle.linkkit import _compiled

PACKAGE_DIR = Path(linkkit.__file__).resolve().parent
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _sources(tmp_path: Path) -> Path:
    for name in _compiled.COMPILED_MODULES:
        shutil.copy(PACKAGE_DIR / f"{name}.py", tmp_path / f"{name}.py")
    return tmp_path


def _fake_build(directory: Path) -> None:
    for name in (*_compiled.COMPILED_MODULES, _compiled.SHARED_LIBRARY):
        (directory / f"{name}{SUFFIX}").write_bytes(b"")
    manifest = {"sources": _compiled.source_digests(directory)}
    (directory / _compiled.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_no_build_means_the_sources(tmp_path: Path) -> None:
    usable, reason = _compiled.compiled_state(_sources(tmp_path))
    assert not usable
    assert "not compiled" in reason


def test_a_complete_build_of_the_current_sources_is_used(tmp_path: Path) -> None:
    directory = _sources(tmp_path)
    _fake_build(directory)
    assert _compiled.compiled_state(directory) == (True, "")


def test_an_edited_source_disqualifies_the_build(tmp_path: Path) -> None:
    directory = _sources(tmp_path)
    _fake_build(directory)
    with (directory / "canonical.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# edited after the build\n")
    assert _compiled.compiled_state(directory) == (False, "sources changed since the build: canonical")


def test_a_missing_module_or_manifest_disqualifies_the_build(tmp_path: Path) -> None:
    directory = _sources(tmp_path)
    _fake_build(directory)
    (directory / f"psl{SUFFIX}").unlink()
    assert _compiled.compiled_state(directory) == (False, "compiled modules missing: psl")
    (directory / f"psl{SUFFIX}").write_bytes(b"")
    (directory / _compiled.MANIFEST).write_text("{not json", encoding="utf-8")
    usable, reason = _compiled.compiled_state(directory)
    assert not usable
    assert _compiled.MANIFEST in reason


def test_a_missing_compiled_runtime_disqualifies_the_build(tmp_path: Path) -> None:
    directory = _sources(tmp_path)
    _fake_build(directory)
    (directory / f"{_compiled.SHARED_LIBRARY}{SUFFIX}").unlink()
    assert _compiled.compiled_state(directory) == (False, "the compiled runtime _native__mypyc is missing")


def test_the_modules_in_use_are_the_ones_announced() -> None:
    for name in _compiled.COMPILED_MODULES:
        module = importlib.import_module(f"sentinelle.linkkit.{name}")
        assert module.__file__ is not None
        assert module.__file__.endswith(".py") != _compiled.COMPILED, (name, module.__file__)
    if os.environ.get(_compiled.PURE_ENV, "") not in ("", "0"):
        assert linkkit.implementation().startswith("python")
    elif os.environ.get("SENTINELLE_REQUIRE_COMPILED") == "1":
        # CI installs with a compiler: the suite must be testing the build that production runs.
        assert linkkit.implementation() == "compiled"


def _import_copy(root: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sentinelle.linkkit as k, sentinelle.linkkit.canonical as c; "
        "print(k.implementation()); print(c.__file__); print(k.canonicalise('HTTPS://Example.COM/a').url)"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop(_compiled.PURE_ENV, None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True)


@pytest.mark.skipif(not _compiled.compiled_state()[0], reason=f"no usable build: {_compiled.compiled_state()[1]}")
def test_a_stale_build_falls_back_to_the_sources_with_a_warning(tmp_path: Path) -> None:
    package = tmp_path / "sentinelle"
    shutil.copytree(PACKAGE_DIR, package / "linkkit", ignore=shutil.ignore_patterns("__pycache__"))
    (package / "__init__.py").write_text("", encoding="utf-8")

    fresh = _import_copy(tmp_path)
    implementation, path, url = fresh.stdout.split()
    assert implementation == "compiled"
    assert not path.endswith(".py")
    assert url == "https://example.com/a"

    with (package / "linkkit" / "classify.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# edited after the build\n")
    stale = _import_copy(tmp_path)
    lines = stale.stdout.splitlines()
    assert lines[0] == "python (sources changed since the build: classify)"
    assert lines[1].endswith("canonical.py")  # every hot-path module, not only the edited one
    assert lines[2] == "https://example.com/a"
    assert "RuntimeWarning" in stale.stderr
    assert "make build" in stale.stderr
