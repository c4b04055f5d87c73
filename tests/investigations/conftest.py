"""Fixtures of the investigations tests: the fixture site, test DNS, a local TSA, investigators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sentinelle.members.models import INVESTIGATOR_GROUP
from sentinelle.members.services import grant_role
from tests.factories import MemberFactory, UserFactory
from tests.investigations import fixture_site, tsa


@pytest.fixture
def evidence_settings(settings, tmp_path: Path) -> Path:
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.SENTINELLE_EVIDENCE_DIR = tmp_path / "evidence"
    settings.SENTINELLE_SIGNING_KEY_PATH = tmp_path / "keys" / "signing_key.pem"
    settings.SENTINELLE_EVIDENCE_SCREENSHOTS = False
    settings.SENTINELLE_TSA_URL = ""
    settings.SENTINELLE_TSA_ROOTS = ""
    return tmp_path


@pytest.fixture(scope="session")
def pirate_site() -> Iterator[fixture_site.FixtureSite]:
    site, server = fixture_site.serve()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    from sentinelle.checks import fetch

    monkeypatch.setattr(
        fetch, "system_resolver", fixture_site.loopback_resolver({fixture_site.ORIGINAL, fixture_site.MIRROR})
    )


@pytest.fixture(scope="session")
def local_tsa() -> Iterator[tsa.TestTSA]:
    authority = tsa.make_tsa()
    server, _thread = tsa.serve(authority)
    yield authority
    server.shutdown()
    server.server_close()


@pytest.fixture
def with_tsa(settings, local_tsa: tsa.TestTSA, tmp_path: Path) -> tsa.TestTSA:
    roots = tmp_path / "tsa-roots.pem"
    roots.write_bytes(local_tsa.root_pem)
    settings.SENTINELLE_TSA_URL = local_tsa.url
    settings.SENTINELLE_TSA_ROOTS = str(roots)
    return local_tsa


@pytest.fixture
def investigator(db):
    user = UserFactory(full_name="Hugo Enqueteur")
    grant_role(user, INVESTIGATOR_GROUP)
    return user


@pytest.fixture
def member_user(db):
    return MemberFactory().user


@pytest.fixture
def capture_env(
    evidence_settings: Path, fake_dns: None, pirate_site: fixture_site.FixtureSite
) -> fixture_site.FixtureSite:
    return pirate_site


@pytest.fixture
def dossier(investigator):
    from sentinelle.investigations.services import dossiers

    return dossiers.open_dossier([fixture_site.ORIGINAL], actor=investigator)


@pytest.fixture
def captured(capture_env, dossier, investigator):
    """The dossier with two finished captures: the site's home page and the mirror's redirect."""
    from sentinelle.investigations.services import evidence

    rows = evidence.request_captures(
        dossier, [capture_env.url("/"), capture_env.url("/old", fixture_site.MIRROR)], actor=investigator
    )
    return [evidence.run_capture(row.pk) for row in rows]
