"""Locust users for ``bench/load.py``: members browsing their catalogue and history and reporting links.

Each simulated member logs in on the page (as a browser would, as if through one proxy,
``SENTINELLE_TRUSTED_PROXY_COUNT=1``, from an address of its own) and uses its API key; the
credentials come from the JSON file ``SENTINELLE_LOAD_USERS`` that ``bench/load.py`` writes.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from typing import Any

from locust import HttpUser, between, task

_CREDENTIALS: list[dict[str, Any]] = json.loads(open(os.environ["SENTINELLE_LOAD_USERS"]).read())  # noqa: SIM115
_NEXT = itertools.count()
_LINK_ID = re.compile(rb'href="/links/(\d+)/"')
HOSTS = ["https://mega.nz/file/{}", "https://1fichier.com/?{}", "https://www.mediafire.com/file/{}/song.mp3"]


def _urls(count: int) -> str:
    return "\n".join(random.choice(HOSTS).format(uuid.uuid4().hex[:12]) for _ in range(count))


class Member(HttpUser):
    wait_time = between(2, 8)

    def on_start(self) -> None:
        number = next(_NEXT)
        me = _CREDENTIALS[number % len(_CREDENTIALS)]
        self.work_id: int = me["work_id"]
        self.api = {"Authorization": f"Bearer {me['token']}"}
        self.link_ids: list[int] = []
        # The proxy's header: each member comes from an address of its own (a documentation range).
        self.client.headers["X-Forwarded-For"] = f"198.51.{100 + number // 250}.{number % 250 + 1}"
        self.client.get("/login/", name="/login/")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/login/",
            {"username": me["email"], "password": me["password"], "csrfmiddlewaretoken": token},
            name="/login/ (POST)",
        )

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    @task(3)
    def catalogue(self) -> None:
        self.client.get("/catalogue/", name="/catalogue/")

    @task(3)
    def history(self) -> None:
        answer = self.client.get("/history/", name="/history/")
        self.link_ids = [int(found) for found in _LINK_ID.findall(answer.content or b"")][:20] or self.link_ids

    @task(1)
    def history_filtered(self) -> None:
        self.client.get("/history/?status=accepted", name="/history/?status=")

    @task(2)
    def link_detail(self) -> None:
        if self.link_ids:
            self.client.get(f"/links/{random.choice(self.link_ids)}/", name="/links/[id]/")

    @task(2)
    def report_on_the_page(self) -> None:
        path = f"/works/{self.work_id}/report/"
        self.client.get(path, name="/works/[id]/report/")
        self.client.post(
            path,
            {"links": _urls(random.randint(1, 3)), "action": "remove", "csrfmiddlewaretoken": self._csrf()},
            name="/works/[id]/report/ (POST)",
        )

    @task(2)
    def api_works(self) -> None:
        self.client.get("/api/v1/works", headers=self.api, name="/api/v1/works")

    @task(2)
    def api_links(self) -> None:
        self.client.get("/api/v1/links", headers=self.api, name="/api/v1/links")

    @task(1)
    def api_report(self) -> None:
        self.client.post(
            f"/api/v1/works/{self.work_id}/links",
            json={"text": _urls(5), "actions": ["remove"]},
            headers=self.api,
            name="/api/v1/works/[id]/links (POST)",
        )
