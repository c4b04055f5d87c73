"""An account with no member profile is shown where its work is, not a dead end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP
from sentinelle.members.services import grant_role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_an_investigator_logging_in_lands_on_the_investigations(client):
    user = UserFactory()
    grant_role(user, INVESTIGATOR_GROUP)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("investigations:sites")


def test_the_catalogue_of_a_non_member_leads_to_their_screens(client):
    user = UserFactory()
    grant_role(user, INVESTIGATOR_GROUP)
    grant_role(user, STAFF_GROUP)
    client.force_login(user)
    page = client.get(reverse("catalogue:my-works")).content.decode()
    for name in ("investigations:sites", "investigations:dossiers", "admin:index"):
        assert f'href="{reverse(name)}"' in page


def test_a_plain_account_without_member_is_told_whom_to_ask(client):
    client.force_login(UserFactory())
    page = client.get(reverse("catalogue:my-works")).content.decode()
    assert "link your account to your member number" in page
    assert reverse("investigations:sites") not in page
