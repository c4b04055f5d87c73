"""Every investigations page and API route answers 404 to members and to anonymous visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sentinelle.investigations.services import evidence as evidence_service
from sentinelle.members.models import STAFF_GROUP
from sentinelle.members.services import create_api_token, grant_role
from tests.factories import UserFactory

PAGES = [
    ("investigations:sites", "get", False),
    ("investigations:dossiers", "get", False),
    ("investigations:open", "post", False),
    ("investigations:dossier", "get", True),
    ("investigations:edit", "post", True),
    ("investigations:add-domain", "post", True),
    ("investigations:capture", "post", True),
    ("investigations:damages", "get", True),
    ("investigations:damages", "post", True),
    ("investigations:export", "post", True),
    ("investigations:transfer", "post", True),
]


@pytest.fixture
def targets(dossier, investigator, evidence_settings):
    row = evidence_service.request_captures(dossier, ["http://pirate.test/"], actor=investigator)[0]
    from sentinelle.investigations.models import EvidenceFile, MirrorSuggestion

    file = EvidenceFile.objects.create(
        evidence=row, name="response.warc.gz", media_type="application/warc", sha256="0" * 64, size=1
    )
    suggestion = MirrorSuggestion.objects.create(site=dossier, domain="other.test", reason="same_title")
    urls = [(reverse(name, args=[dossier.pk] if needs_id else []), method) for name, method, needs_id in PAGES]
    urls += [
        (reverse("investigations:suggestion", args=[dossier.pk, suggestion.pk]), "post"),
        (reverse("investigations:evidence", args=[dossier.pk, row.pk]), "get"),
        (reverse("investigations:download", args=[dossier.pk, row.pk, file.pk]), "post"),
    ]
    return urls


API_ROUTES = [
    ("get", "/api/v1/investigations/sites", None),
    ("post", "/api/v1/investigations/dossiers", {"domains": ["pirate.test"]}),
    ("post", "/api/v1/investigations/dossiers/{site}/captures", {"urls": ["http://pirate.test/"]}),
    ("get", "/api/v1/investigations/evidence/{evidence}", None),
]


def _call(client, method, url, **kwargs):
    return getattr(client, method)(url, **kwargs)


@pytest.mark.django_db
def test_every_page_is_a_404_for_anonymous_visitors(client, targets):
    for url, method in targets:
        assert _call(client, method, url).status_code == 404, url


@pytest.mark.django_db
def test_every_page_is_a_404_for_a_member(client, targets, member_user):
    client.force_login(member_user)
    for url, method in targets:
        assert _call(client, method, url).status_code == 404, url


@pytest.mark.django_db
def test_investigators_and_staff_see_the_pages(client, targets, investigator):
    staff = UserFactory()
    grant_role(staff, STAFF_GROUP)
    for user in (investigator, staff):
        client.force_login(user)
        for url, method in targets:
            if method == "get":
                assert client.get(url).status_code == 200, url


def _api_urls(dossier, investigator):
    row = evidence_service.request_captures(dossier, ["http://pirate.test/a"], actor=investigator)[0]
    return [(m, path.format(site=dossier.pk, evidence=row.pk), body) for m, path, body in API_ROUTES]


@pytest.mark.django_db
def test_every_api_route_is_a_404_without_a_token(client, dossier, investigator):
    for method, url, body in _api_urls(dossier, investigator):
        response = _call(client, method, url, data=body, content_type="application/json")
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_every_api_route_is_a_404_for_a_members_token(client, dossier, investigator, member_user):
    _row, token = create_api_token(member_user, "t")
    for method, url, body in _api_urls(dossier, investigator):
        response = _call(
            client,
            method,
            url,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 404, url


@pytest.mark.django_db
def test_an_investigators_token_reaches_the_api(client, dossier, investigator):
    _row, token = create_api_token(investigator, "t")
    auth = {"Authorization": f"Bearer {token}"}
    opened = client.post(
        "/api/v1/investigations/dossiers",
        {"domains": ["www.pirate.test"]},
        content_type="application/json",
        headers=auth,
    )
    assert opened.status_code == 200
    assert opened.json()["id"] == dossier.pk  # the dossier that already holds the domain
    queued = client.post(
        f"/api/v1/investigations/dossiers/{dossier.pk}/captures",
        {"urls": ["http://pirate.test/x"]},
        content_type="application/json",
        headers=auth,
    )
    assert queued.status_code == 202
    progress = client.get(f"/api/v1/investigations/evidence/{queued.json()[0]['id']}", headers=auth)
    assert progress.json()["status"] == "queued"
