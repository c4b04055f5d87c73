"""The language a member reads in is stored on the account and follows them to any device."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_language_switch_is_remembered_on_the_account(client):
    user = UserFactory(language="")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/catalogue/"})
    assert response.status_code == 302 and response["Location"] == "/catalogue/"
    user.refresh_from_db()
    assert user.language == "fr"


def test_an_unknown_language_is_not_stored(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_stored_language_wins_over_the_browser(client):
    client.force_login(UserFactory(language="fr"))
    page = client.get(reverse("catalogue:my-works"), headers={"accept-language": "en"})
    assert '<html lang="fr">' in page.content.decode()
    assert "Mon catalogue" in page.content.decode()


def test_a_visitor_reads_in_the_browser_language(client):
    page = client.get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="en">' in page.content.decode()


def test_logging_in_stores_the_language_of_a_user_who_never_chose(client):
    user = UserFactory(language="")
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, headers={"accept-language": "fr"})
    user.refresh_from_db()
    assert user.language == "fr"


def test_logging_in_keeps_a_language_already_chosen(client):
    user = UserFactory(language="en")
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, headers={"accept-language": "fr"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_language_switch_is_a_form_with_a_button_and_no_script(client):
    page = client.get(reverse("login")).content.decode()
    form = page[page.index('class="inline lang"') : page.index("</form>", page.index('class="inline lang"'))]
    assert "<button" in form and "onchange" not in form
