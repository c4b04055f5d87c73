"""`python -m sentinelle serve`: gunicorn with the settings' workers, static files by WhiteNoise."""

from __future__ import annotations

import gc
import gzip
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sentinelle.core.management.commands.serve import gunicorn_options, web_server


def test_workers_threads_and_address_come_from_the_settings(settings):
    settings.SENTINELLE_WEB_WORKERS = 3
    settings.SENTINELLE_WEB_THREADS = 1
    settings.SENTINELLE_WEB_BIND = "unix:/run/sentinelle/web.sock"
    settings.SENTINELLE_WEB_TIMEOUT = 20
    options = gunicorn_options()
    assert options["workers"] == 3
    assert options["bind"] == ["unix:/run/sentinelle/web.sock"]
    assert options["worker_class"] == "sync"
    assert options["timeout"] == 20
    assert options["control_socket_disable"] is True

    settings.SENTINELLE_WEB_THREADS = 4
    settings.SENTINELLE_WEB_WORKERS = 0
    options = gunicorn_options(bind="127.0.0.1:9", workers=None)
    assert options["worker_class"] == "gthread"
    assert options["threads"] == 4
    assert options["workers"] == 2 * (os.cpu_count() or 1) + 1  # 0: gunicorn's rule of thumb
    assert options["bind"] == ["127.0.0.1:9"]


def test_what_the_master_loaded_is_frozen_before_it_forks_the_workers():
    """``gc.freeze`` once the application is loaded: the workers' collector leaves it alone, so
    its pages stay shared with the master (a worker's private memory 57 → 27 MB, docs/scaling.md)."""
    gc.unfreeze()
    try:
        application = web_server(gunicorn_options(bind="127.0.0.1:9")).load()
        assert callable(application)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def _settles_at(pid: int, count: int) -> bool:
    """The master has ``count`` workers once they have all booted, and not one more a second later."""
    for _ in range(3000):
        if len(_children(pid)) >= count:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    return len(_children(pid)) == count


def test_serve_runs_gunicorn_workers_and_whitenoise_serves_static_files(tmp_path):
    env = {
        **os.environ,
        "SENTINELLE_VAR_DIR": str(tmp_path),
        "SENTINELLE_STATIC_ROOT": str(tmp_path / "static"),
        "SENTINELLE_DEBUG": "false",
        "SENTINELLE_WEB_WORKERS": "2",
    }
    env.pop("DATABASE_URL", None)  # the pages below read no table; the default SQLite file is enough
    command = [sys.executable, "-m", "sentinelle"]
    # Only the site's own files: compressing the admin's and the API docs' takes minutes on a busy machine.
    skip = ["--ignore", "admin", "--ignore", "ninja", "--ignore", "django_rq"]
    subprocess.run(
        [*command, "collectstatic", "--no-input", "--verbosity", "0", *skip], env=env, check=True, timeout=600
    )
    port = _free_port()
    server = subprocess.Popen(
        [*command, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3000):  # up to 5 minutes on a loaded machine
            try:
                status, _headers, _body = _get(base + "/login/")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"serve exited: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.1)
        else:
            pytest.fail("serve did not answer within 5 minutes")
        assert status == 200
        assert _settles_at(server.pid, 2)  # SENTINELLE_WEB_WORKERS

        status, headers, body = _get(base + "/static/sentinelle/site.css", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "max-age" in headers["Cache-Control"]
        source = Path(__file__).resolve().parents[2] / "src/sentinelle/static/sentinelle/site.css"
        assert gzip.decompress(body) == source.read_bytes()
        assert _get(base + "/static/sentinelle/absent.css")[0] == 404
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
