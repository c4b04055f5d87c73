"""HTTPS and browser hardening: CSP on every page, HSTS and the SSL redirect on an HTTPS deployment,
check --deploy clean, friendly 400/413 pages (issue 10, 5)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from sentinelle import conf
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_strict_content_security_policy(client):
    member = MemberFactory()
    client.force_login(member.user)
    for url in ["/login/", reverse("catalogue:my-works"), reverse("members:account")]:
        policy = _policy(client.get(url, follow=True))
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert not any("unsafe" in value for values in policy.values() for value in values)


MEMBER_PAGES = [
    "login",
    "stats:member",
    "catalogue:my-works",
    "takedowns:history",
    "members:account",
    "password_change",
]
STAFF_PAGES = ["desk:queue", "desk:coverage", "stats:society", "stats:dsa-report", "admin:index"]


def _inline_code(html: str) -> list[str]:
    """What the policy would block: a <script> that runs and has no src (a JSON data block does not
    run), a <style> block, a style="" attribute, an on…="" handler."""
    import re

    found = [m for m in re.findall(r"<script\b[^>]*>", html) if "src=" not in m and "application/json" not in m]
    found += re.findall(r"<style\b|\sstyle=", html) + re.findall(r"\son[a-z]+=", html)
    return found


def test_the_pages_hold_no_inline_script_style_or_handler(client):
    from sentinelle.members.models import STAFF_GROUP
    from sentinelle.members.services import grant_role
    from tests.factories import UserFactory

    member = MemberFactory()
    client.force_login(member.user)
    for name in MEMBER_PAGES:
        html = client.get(reverse(name), follow=True).content.decode()
        assert _inline_code(html) == [], name
    html = client.get("/api/v1/docs").content.decode()
    assert _inline_code(html) == [], "api docs"
    staff = UserFactory()
    grant_role(staff, STAFF_GROUP)
    client.force_login(staff)
    for name in STAFF_PAGES:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        assert _inline_code(response.content.decode()) == [], name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Ssl=on", ("HTTP_X_FORWARDED_SSL", "on")),
    ],
)
def test_the_proxy_ssl_header_setting(raw, expected):
    assert conf.proxy_ssl_header(raw) == expected


def test_a_bad_proxy_ssl_header_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SENTINELLE_PROXY_SSL_HEADER"):
        conf.proxy_ssl_header("X Forwarded: https")


def _settings_in(environ: dict[str, str], *names: str) -> list[str]:
    """The named Django settings as a fresh process reads them from ``environ``."""
    code = "import django; django.setup(); from django.conf import settings as s; " + "; ".join(
        f"print(repr(s.{name}))" for name in names
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTINELLE_") or k == "SENTINELLE_VAR_DIR"}
    env.update({"DJANGO_SETTINGS_MODULE": "sentinelle.settings", **environ})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split("\n")[: len(names)]


HTTPS_NAMES = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")


def test_an_https_deployment_gets_hsts_and_the_redirect_by_default():
    https = {"SENTINELLE_DEBUG": "false", "SENTINELLE_SECURE_COOKIES": "true"}
    assert _settings_in(https, *HTTPS_NAMES) == ["True", "31536000", "True", "True"]
    assert _settings_in({"SENTINELLE_SECURE_COOKIES": "false"}, *HTTPS_NAMES) == ["False", "0", "False", "False"]
    tuned = {
        **https,
        "SENTINELLE_HSTS_SECONDS": "300",
        "SENTINELLE_HSTS_PRELOAD": "false",
        "SENTINELLE_SSL_REDIRECT": "0",
    }
    assert _settings_in(tuned, *HTTPS_NAMES) == ["False", "300", "True", "False"]
    proxied = {**https, "SENTINELLE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    assert _settings_in(proxied, "SECURE_PROXY_SSL_HEADER") == ["('HTTP_X_FORWARDED_PROTO', 'https')"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    production = {
        "SENTINELLE_DEBUG": "false",
        "SENTINELLE_SECURE_COOKIES": "true",
        "SENTINELLE_SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
        "SENTINELLE_ALLOWED_HOSTS": "sentinelle.example.org",
        "SENTINELLE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SENTINELLE_CACHE_URL": "redis://127.0.0.1:6379/15",  # a shared cache (check W001); not contacted
        "SENTINELLE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sentinelle.settings",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTINELLE_")}
    env.update(production)
    run = subprocess.run(
        [sys.executable, "-m", "sentinelle", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stderr and "issues" not in run.stdout.replace("no issues", ""), run.stdout


def test_the_redirect_and_hsts_on_an_https_deployment(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    # The load balancer's probe over plain HTTP is not redirected.
    assert Client().get("/healthz").status_code == 200
    secure = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_a_post_over_the_size_limit_gets_a_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    member = MemberFactory()
    client.force_login(member.user)
    response = client.post(reverse("members:account"), {"name": "x" * 5000})
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large" in page and "several parts" in page
    assert "<html" in page  # the site's page, not Django's bare text


def test_a_bad_request_gets_the_sites_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/login/", {f"f{i}": "x" for i in range(20)})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
