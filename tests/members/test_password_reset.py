"""Password reset by e-mail: the same answer for any address, limits, the account's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sentinelle.members.tasks import send_password_reset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.TASKS = IMMEDIATE  # the mail leaves in a task: run it at once here
    cache.clear()  # the default cache is this process's own (LocMem)
    yield
    cache.clear()


def _ask(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_the_login_page_offers_a_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_the_answer_is_the_same_whether_the_address_has_an_account_or_not(client):
    UserFactory(email="known@example.org")
    known, unknown = _ask(client, "known@example.org"), _ask(client, "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_the_request_only_queues_the_same_task_for_a_known_and_an_unknown_address(client, settings):
    """No lookup and no SMTP hand-over in the request: its time cannot tell an account exists."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(email="known@example.org")
    _ask(client, "known@example.org")
    _ask(client, "nobody@example.org")
    assert mail.outbox == []
    queued = DBTaskResult.objects.all()
    assert sorted((r.task_path, r.args_kwargs["args"]) for r in queued) == [
        ("sentinelle.members.tasks.send_password_reset", ["known@example.org", "testserver", False]),
        ("sentinelle.members.tasks.send_password_reset", ["nobody@example.org", "testserver", False]),
    ]


def test_the_task_mails_a_link_to_the_host_and_scheme_the_visitor_used():
    UserFactory(email="known@example.org")
    send_password_reset.call("known@example.org", "members.example.org", True)
    send_password_reset.call("nobody@example.org", "members.example.org", True)
    assert [m.to for m in mail.outbox] == [["known@example.org"]]
    assert "https://members.example.org/password-reset/" in mail.outbox[0].body


def test_the_link_in_the_mail_sets_a_new_password(client):
    user = UserFactory(email="known@example.org")
    _ask(client, "KNOWN@example.org")
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-secret-42", "new_password2": "a-new-long-secret-42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-new-long-secret-42")
    # The link worked once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_the_mail_is_in_the_account_language_whatever_the_page_language(client):
    UserFactory(email="fr@example.org", language="fr")
    UserFactory(email="en@example.org", language="en")
    _ask(client, "fr@example.org", headers={"accept-language": "en"})
    _ask(client, "en@example.org", headers={"accept-language": "fr"})
    french, english = mail.outbox
    assert french.subject.startswith("Choisissez un nouveau mot de passe") and "Bonjour" in french.body
    assert english.subject.startswith("Choose a new password") and "Hello" in english.body


def test_an_address_gets_a_few_mails_an_hour_and_then_the_same_page_without_mail(client, settings):
    settings.SENTINELLE_PASSWORD_RESET_LIMIT = 2
    UserFactory(email="known@example.org")
    answers = [_ask(client, "known@example.org", REMOTE_ADDR=f"10.0.0.{i}") for i in range(3)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 2


def test_a_client_asking_too_often_is_told_to_wait(client, settings):
    settings.SENTINELLE_PASSWORD_RESET_LIMIT = 2
    answers = [_ask(client, f"someone-{i}@example.org").status_code for i in range(3)]
    assert answers == [302, 302, 429]


def test_behind_a_proxy_each_client_has_its_own_reset_allowance(client, settings):
    settings.SENTINELLE_PASSWORD_RESET_LIMIT = 1
    settings.SENTINELLE_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = _ask(client, "a@example.org", headers={"x-forwarded-for": "198.51.100.1"}, **proxy)
    again = _ask(client, "b@example.org", headers={"x-forwarded-for": "198.51.100.1"}, **proxy)
    other = _ask(client, "c@example.org", headers={"x-forwarded-for": "198.51.100.2"}, **proxy)
    assert (first.status_code, again.status_code, other.status_code) == (302, 429, 302)


def test_the_reset_pages_speak_french(client):
    page = client.get(reverse("password_reset"), headers={"accept-language": "fr"}).content.decode()
    assert "Mot de passe oublié" in page
