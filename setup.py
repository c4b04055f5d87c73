"""Build hook: compile linkkit's hot path with mypyc when a C compiler is at hand.

Everything else about the package is in pyproject.toml. The compiled modules are the plain Python
sources of ``src/sentinelle/linkkit`` (listed in ``_compiled.COMPILED_MODULES``), type-checked and
translated to C by mypyc; compiled, a batch runs about 1.6 to 1.9 times faster (bench/linkkit.py).
When mypyc or the compiler is missing, mypy finds a type error, or a module fails to build, the
package installs without them and linkkit runs from its sources: same results, slower
(``sentinelle.linkkit.implementation()`` says which runs). ``SENTINELLE_PURE_PYTHON=1`` skips the
compilation (and retires an earlier in-place build).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
LINKKIT = ROOT / "src" / "sentinelle" / "linkkit"


def _compiled_helpers() -> Any:
    """``sentinelle/linkkit/_compiled.py``, loaded by path (the package itself needs its deps)."""
    spec = importlib.util.spec_from_file_location("_sentinelle_linkkit_compiled", LINKKIT / "_compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HELPERS = _compiled_helpers()


def _say(message: str) -> None:
    print(f"\n*** sentinelle: {message}\n", file=sys.stderr)


# The SHA-256 of each compiled source as mypyc read it: taken before the translation, so that a
# source saved while the C compiler runs is not vouched for by the manifest.
DIGESTS: dict[str, str] = {}


def _extensions() -> list[Any]:
    if os.environ.get("SENTINELLE_PURE_PYTHON", "") not in ("", "0"):
        # An earlier in-place build would otherwise stay in use in an editable install.
        (LINKKIT / HELPERS.MANIFEST).unlink(missing_ok=True)
        _say("SENTINELLE_PURE_PYTHON is set: linkkit is not compiled.")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _say("mypyc is not available: linkkit is not compiled and runs from its Python sources.")
        return []
    os.chdir(ROOT)  # mypycify takes paths relative to the project
    paths = [f"src/sentinelle/linkkit/{name}.py" for name in HELPERS.COMPILED_MODULES]
    # mypy's own options for the build, independent of pyproject's (whose Django plugin the
    # isolated build environment does not have): linkkit imports no Django.
    options = ["--config-file=", "--ignore-missing-imports", "--check-untyped-defs", "--python-version=3.11"]
    DIGESTS.update(HELPERS.source_digests(LINKKIT))
    try:
        group = "sentinelle.linkkit." + HELPERS.SHARED_LIBRARY.removesuffix("__mypyc")  # its shared runtime's name
        return list(mypycify([*options, *paths], opt_level="3", group_name=group))
    except (Exception, SystemExit) as error:  # noqa: BLE001  # mypyc exits on a type error: go uncompiled
        _say(f"mypyc could not translate linkkit ({error!r}); it runs from its Python sources.")
        return []


class OptionalBuildExt(build_ext):
    """Build the extensions if the compiler can; never fail the installation over them."""

    def _manifest(self) -> Path:
        # Where the extension modules go (the source tree for an editable install, the build
        # directory for a wheel): the manifest beside them ties them to the sources they came from.
        return Path(self.get_ext_fullpath("sentinelle.linkkit.canonical")).parent / HELPERS.MANIFEST

    def run(self) -> None:
        if self.extensions:  # a failed build must not leave an older manifest vouching for it
            self._manifest().unlink(missing_ok=True)
        try:
            super().run()
        except Exception as error:  # noqa: BLE001  # no compiler, missing headers…
            _say(f"compiling linkkit failed ({error}); it runs from its Python sources.")
            return
        if self.extensions:
            self._manifest().write_text(json.dumps({"sources": DIGESTS}, indent=1) + "\n", encoding="utf-8")

    def get_outputs(self) -> list[str]:
        outputs: list[str] = super().get_outputs()
        if self.extensions:
            outputs.append(str(self._manifest()))
        return outputs


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
