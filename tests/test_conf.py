"""The one settings reader: every variable has one default, is documented, and bad values are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sentinelle import conf

README = Path(__file__).resolve().parents[1] / "README.md"
# Read outside the Django settings, so not in conf.ENV: linkkit imports no Django, setup.py runs
# before the package exists, the crash points are a worker's environment on purpose (faults.py),
# the rest are knobs of the test scripts (SENTINELLE_CHROMIUM is both theirs and the product's).
NOT_PRODUCT_SETTINGS = {
    "SENTINELLE_LINKKIT_PURE",
    "SENTINELLE_PURE_PYTHON",
    "SENTINELLE_NOTICE_CRASH_AT",
    "SENTINELLE_NOTICE_CRASH_ON",
    "SENTINELLE_REQUIRE_POSTGRES",
    "SENTINELLE_REQUIRE_BROWSER",
    "SENTINELLE_REQUIRE_COMPILED",
    "SENTINELLE_REQUIRE_REDIS",
}


def _documented() -> set[str]:
    """Variables named in the README's configuration table (``_PORT`` after ``SENTINELLE_EMAIL_HOST``
    is SENTINELLE_EMAIL_PORT: a short form replaces the same number of trailing words or fewer)."""
    names: set[str] = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `SENTINELLE_"):
            continue
        cell = line.split("|")[1]
        tokens = re.findall(r"`(_?[A-Z_]+)`", cell)
        first = tokens[0]
        names.add(first)
        words = first.split("_")
        for short in tokens[1:]:
            tail = short.strip("_").split("_")
            names.update("_".join(words[:cut] + tail) for cut in range(2, len(words)))
    return names


def test_every_variable_read_has_its_default_and_is_documented():
    documented = _documented()
    missing = sorted(name for name in conf.ENV if name not in documented)
    assert not missing, f"in conf.ENV but not in the README's configuration table: {missing}"


def test_every_variable_the_readme_names_in_full_is_read_through_conf():
    written = set(re.findall(r"`(SENTINELLE_[A-Z_]+)`", README.read_text(encoding="utf-8")))
    unknown = sorted(written - set(conf.ENV) - NOT_PRODUCT_SETTINGS)
    assert not unknown, f"documented but not in conf.ENV: {unknown}"


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("SENTINELLE_DAILY_LINK_QUOTA", None, 10),
        ("SENTINELLE_DAILY_LINK_QUOTA", "", 10),
        ("SENTINELLE_DAILY_LINK_QUOTA", "3", 3),
        ("SENTINELLE_DEBUG", "yes", True),
        ("SENTINELLE_DEBUG", "OFF", False),
        ("SENTINELLE_ALLOWED_HOSTS", "a.example, b.example,", ["a.example", "b.example"]),
        ("SENTINELLE_TIME_ZONE", None, "Europe/Paris"),
    ],
)
def test_environment_values_are_read_by_type(name, raw, expected):
    environ = {} if raw is None else {name: raw}
    assert conf.env(name, environ) == expected


@pytest.mark.parametrize(("name", "raw"), [("SENTINELLE_DAILY_LINK_QUOTA", "ten"), ("SENTINELLE_DEBUG", "maybe")])
def test_a_bad_value_is_a_clear_configuration_error(name, raw):
    with pytest.raises(ImproperlyConfigured, match=name):
        conf.env(name, {name: raw})


def test_a_setting_left_out_of_the_settings_module_falls_back_to_its_one_default(settings):
    del settings.SENTINELLE_NOTICE_MAX_ATTEMPTS
    assert conf.notice_max_attempts() == conf.ENV["SENTINELLE_NOTICE_MAX_ATTEMPTS"].default


def test_a_test_override_is_read(settings):
    settings.SENTINELLE_ESCALATION_DEADLINE_HOURS = {"eu": 24, "us": 240}
    assert conf.escalation_deadline("eu").total_seconds() == 24 * 3600
    assert conf.escalation_deadline("other").total_seconds() == 72 * 3600  # the default
    assert min(conf.escalation_deadlines().values()).total_seconds() == 24 * 3600


CHECKS_DOC = Path(__file__).resolve().parents[1] / "docs" / "checks.md"


def test_every_variable_docs_checks_names_is_read_through_conf():
    written = set(re.findall(r"`(SENTINELLE_[A-Z_]+)`", CHECKS_DOC.read_text(encoding="utf-8")))
    unknown = sorted(written - set(conf.ENV) - NOT_PRODUCT_SETTINGS)
    assert not unknown, f"docs/checks.md names variables conf.ENV does not read: {unknown}"


@pytest.mark.parametrize("name", ["SENTINELLE_CHECK_RETRY_WINDOW_HOURS", "SENTINELLE_CHECK_BATCH"])
def test_the_check_window_and_batch_come_from_the_environment(name):
    assert conf.env(name, {name: "7"}) == 7


def test_fetch_resolve_is_read_as_host_address_pairs():
    raw = "pirate.test:127.0.0.2, [v6.test]:[::1] ,mirror.test:127.0.0.3"
    assert conf.env("SENTINELLE_FETCH_RESOLVE", {"SENTINELLE_FETCH_RESOLVE": raw}) == {
        "pirate.test": "127.0.0.2",
        "v6.test": "::1",
        "mirror.test": "127.0.0.3",
    }
    with pytest.raises(ImproperlyConfigured, match="SENTINELLE_FETCH_RESOLVE"):
        conf.env("SENTINELLE_FETCH_RESOLVE", {"SENTINELLE_FETCH_RESOLVE": "no-address-here"})


def test_fetch_resolve_is_refused_unless_loopback_is_allowed():
    with pytest.raises(ImproperlyConfigured, match="SENTINELLE_FETCH_ALLOW_LOOPBACK"):
        conf.validate_fetch_resolve({"pirate.test": "127.0.0.2"}, allow_loopback=False)
    conf.validate_fetch_resolve({"pirate.test": "127.0.0.2"}, allow_loopback=True)
    conf.validate_fetch_resolve({}, allow_loopback=False)


def test_every_check_variable_is_in_docs_checks():
    written = set(re.findall(r"`(SENTINELLE_[A-Z_]+)`", CHECKS_DOC.read_text(encoding="utf-8")))
    prefixes = ("SENTINELLE_CHECK_", "SENTINELLE_REAPPEARANCE_", "SENTINELLE_FETCH_", "SENTINELLE_ESCALAT")
    missing = sorted(name for name in conf.ENV if name.startswith(prefixes) and name not in written)
    assert not missing, f"read by conf.ENV but not in docs/checks.md: {missing}"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("database", "django_tasks_db.DatabaseBackend"),
        ("rq", "django_tasks_rq.RQBackend"),
        ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
        ("django_tasks.backends.dummy.DummyBackend", "django_tasks.backends.dummy.DummyBackend"),
    ],
)
def test_the_task_backend_is_a_short_name_or_a_class_path(raw, path):
    assert conf.task_backend_path(raw) == path


def test_an_unknown_task_backend_name_is_a_clear_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="SENTINELLE_TASK_BACKEND"):
        conf.task_backend_path("celery")


def _settings_in_a_fresh_process(env: dict[str, str], expression: str) -> str:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTINELLE_")}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "sentinelle.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_mail_leaves_from_the_societys_address_unless_told_otherwise():
    society = {"SENTINELLE_SOCIETY_EMAIL": "droits@societe.example"}
    assert _settings_in_a_fresh_process(society, "settings.DEFAULT_FROM_EMAIL") == "droits@societe.example"
    chosen = {**society, "SENTINELLE_DEFAULT_FROM_EMAIL": "noreply@societe.example"}
    assert _settings_in_a_fresh_process(chosen, "settings.DEFAULT_FROM_EMAIL") == "noreply@societe.example"
