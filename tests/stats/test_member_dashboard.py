"""The member's dashboard page and GET /api/v1/stats: their own figures, linked to their history."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from sentinelle.members.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2026-03-10", "date_to": "2026-03-12"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_members_land_on_their_dashboard(history):
    response = _client(history.alice.user).get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("stats:member")


def test_each_figure_links_to_the_links_behind_it(history):
    client = _client(history.alice.user)
    page = client.get(reverse("stats:member"), PERIOD).content.decode()
    cards = dict(re.findall(r'<a href="([^"]+)"><span class="stat-value">(\d+)</span>', page))
    assert sorted(cards.values()) == ["0", "1", "1", "2", "2", "6"]
    for url, value in cards.items():
        history_page = client.get(url.replace("&amp;", "&")).content.decode()
        assert history_page.count('class="link-row') == int(value), url
    removed = next(u for u in cards if "outcome=removed" in u)
    listed = client.get(removed.replace("&amp;", "&")).content.decode()
    assert f"/links/{history.links['removed_5h']}/" in listed and f"/links/{history.links['removed_24h']}/" in listed


def test_the_dashboard_has_its_charts_with_text_alternatives(history):
    page = _client(history.alice.user).get(reverse("stats:member"), PERIOD).content.decode()
    assert page.count('<svg class="chart-svg"') == 2
    assert "<desc id=" in page and "The figures as a table" in page
    assert "33.3" in page  # removal rate 2/6
    assert "10 hours" in page  # the median time to removal


def test_a_member_sees_only_their_own_figures(history):
    page = _client(history.bob.user).get(reverse("stats:member"), PERIOD).content.decode()
    cards = re.findall(r'<span class="stat-value">(\d+)</span> <span class="stat-label">Links reported', page)
    assert cards == ["1"]
    assert "Premier" not in page and "Second" not in page and "Chez Bob" in page


def test_an_account_without_a_member_profile_has_no_figures(history):
    page = _client(UserFactory()).get(reverse("stats:member")).content.decode()
    assert "not linked to a member" in page


def test_a_bad_period_is_explained_and_the_default_shown(history):
    response = _client(history.alice.user).get(
        reverse("stats:member"), {"date_from": "2026-03-12", "date_to": "2026-03-10"}
    )
    assert response.status_code == 200
    assert "The period must start before it ends." in response.content.decode()


def test_a_day_outside_the_years_served_is_explained(history):
    # Year 1 or 9999 once overflowed the date arithmetic of the twelve months (a 500).
    for day in ("0001-01-05", "9999-12-31"):
        response = _client(history.alice.user).get(reverse("stats:member"), {"date_to": day})
        assert response.status_code == 200 and "Choose a day from 2000 to 2100." in response.content.decode()
        staff = _client(UserFactory(is_staff=True)).get(reverse("stats:society"), {"date_from": day})
        assert staff.status_code == 200 and "Choose a day from 2000 to 2100." in staff.content.decode()
        assert _api(history.alice.user, to=day).status_code == 400
        assert _api(history.alice.user, **{"from": day}).status_code == 400


def _api(user, **query):
    _row, token = create_api_token(user, "tests")
    return Client().get("/api/v1/stats", query, headers={"Authorization": f"Bearer {token}"})


def test_the_api_gives_the_same_figures(history):
    body = _api(history.alice.user, **{"from": "2026-03-10", "to": "2026-03-12"}).json()
    assert body["from"] == "2026-03-10" and body["to"] == "2026-03-12"
    totals = body["totals"]
    assert (totals["reported"], totals["removed"], totals["online"], totals["pending"]) == (6, 2, 2, 1)
    assert totals["median_hours_to_removal"] == 10.0 and totals["p90_hours_to_removal"] == 24
    assert {w["title"] for w in body["works"]} == {"Premier", "Second"}
    assert len(body["months"]) == 12


def test_the_api_is_the_members_own(history):
    body = _api(history.bob.user, **{"from": "2026-03-10", "to": "2026-03-12"}).json()
    assert body["totals"]["reported"] == 1 and [w["title"] for w in body["works"]] == ["Chez Bob"]


def test_the_api_refuses_a_bad_period_and_unknown_parameters(history):
    assert _api(history.alice.user, **{"from": "2026-03-12", "to": "2026-03-10"}).json()["error"]["code"] == (
        "invalid_request"
    )
    assert _api(history.alice.user, since="2026-01-01").status_code == 400
    assert _api(history.alice.user, **{"from": "12/03/2026"}).status_code == 400


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/stats"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}


def test_the_platform_table_shows_the_biggest_platforms_and_every_one_on_request(history, monkeypatch):
    from sentinelle.stats import views

    # Alice's platforms: MEGA 3 links, then 1 each (by name): sites outside the registry, 1fichier, Google.
    monkeypatch.setattr(views, "ROWS_SHOWN", 2)
    client = _client(history.alice.user)
    table = client.get(reverse("stats:member"), PERIOD).content.decode().split("Per platform", 1)[1]
    assert "MEGA" in table and "sites not in the registry" in table
    assert "1fichier" not in table and "Google" not in table
    assert "The 2 platforms where you reported the most links, of 4." in table
    link = re.search(r'href="(\?[^"]*platforms=all[^"]*)"', table)
    assert link is not None and "date_from=2026-03-10" in link.group(1)
    every = client.get(reverse("stats:member") + link.group(1).replace("&amp;", "&")).content.decode()
    rest = every.split("Per platform", 1)[1]
    assert "1fichier" in rest and "Google" in rest and "of 4." not in rest
