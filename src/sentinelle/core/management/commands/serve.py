"""`python -m sentinelle serve`: the production web server (gunicorn) on ``sentinelle.wsgi``.

Workers, threads, the address and the worker timeout come from the settings
(``SENTINELLE_WEB_*``); the options below override them for one run. Static files are served by
WhiteNoise from ``SENTINELLE_STATIC_ROOT`` (run ``collectstatic`` first). docs/deployment.md
shows the layout with the task workers and the scheduler.
"""

from __future__ import annotations

import gc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sentinelle import conf


def gunicorn_options(
    *, bind: str | None = None, workers: int | None = None, threads: int | None = None
) -> dict[str, Any]:
    """gunicorn's settings from ours: one place, read by the command and by its test."""
    threads = threads if threads is not None else conf.web_threads()
    return {
        "bind": [bind or conf.web_bind()],
        "workers": workers if workers is not None else conf.web_workers(),
        "threads": threads,
        # More than one thread a worker needs the threaded worker; one thread is the plain sync worker.
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": conf.web_timeout(),
        "graceful_timeout": conf.web_timeout(),
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "sentinelle-web",
        # The application is loaded once (this command already set Django up) and forked.
        "preload_app": True,
        # gunicorn 27's control socket (in the home directory) is not used: signals and systemd are.
        "control_socket_disable": True,
    }


def web_server(settings: dict[str, Any]) -> Any:
    """gunicorn's application with ``settings`` (``gunicorn_options``): ``sentinelle.wsgi`` loaded
    once, in the master, which then forks the workers."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # gunicorn ships no type hints: BaseApplication is Any here
        def load_config(self) -> None:
            for key, value in settings.items():
                if key in self.cfg.settings:  # an older gunicorn lacks the newest knobs
                    self.cfg.set(key, value)

        def load(self) -> Any:
            from sentinelle.wsgi import application

            # What the master holds now stays shared with the workers, page by page, until written;
            # a collector pass writes into every object it scans, so each worker's first passes
            # copied the pages of everything loaded. Frozen (``gc.freeze``, Python's advice for a
            # pre-forking server), it is out of the passes: a worker's private memory after a few
            # hundred requests 57 → 27 MB (demo data, docs/scaling.md).
            gc.collect()
            gc.freeze()
            return application

    return Server()


class Command(BaseCommand):
    help = "Serve the site with gunicorn: workers, threads and address from the SENTINELLE_WEB_* settings."
    requires_system_checks: list[str] = []  # gunicorn's master runs the checks once, below

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="host:port or unix:/path (default: SENTINELLE_WEB_BIND)")
        parser.add_argument("--workers", type=int, help="worker processes (default: SENTINELLE_WEB_WORKERS)")
        parser.add_argument("--threads", type=int, help="threads per worker (default: SENTINELLE_WEB_THREADS)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(display_num_errors=False)
        web_server(gunicorn_options(bind=options["bind"], workers=options["workers"], threads=options["threads"])).run()
