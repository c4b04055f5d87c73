"""Event texts are stored as their English source and translated when shown, in the reader's language."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sentinelle.members.services import create_api_token
from sentinelle.takedowns import services
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus, ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db

SOURCE = "Still online after the deadline: a reminder is sent to %(who)s."
ENGLISH = "Still online after the deadline: a reminder is sent to MEGA."
FRENCH = "Toujours en ligne après l'expiration du délai\xa0: une relance est envoyée à MEGA."


@pytest.fixture
def written_in_french(registry_platforms):
    interest = InterestFactory(work__title="Le Temps des cerises")
    services.submit_links(interest.member, interest.work.pk, "https://pirate.example.org/1", ["remove"])
    link = ReportedLink.objects.get()
    with translation.override("fr"):  # as a background worker would, in the product's default language
        event = services.change_status(
            link,
            LinkStatus.REMOVED,
            kind=EventKind.RESULT,
            message="Still online after the deadline: a reminder is sent to %(who)s.",
            params={"who": "MEGA"},
        )
    return interest.member, link, event


def test_the_source_text_and_its_params_are_stored(written_in_french):
    _member, _link, event = written_in_french
    event.refresh_from_db()
    assert event.message == SOURCE
    assert event.data["message_params"] == {"who": "MEGA"}
    assert event.display_message() == ENGLISH
    with translation.override("fr"):
        assert event.display_message() == FRENCH


def test_a_lazy_param_is_stored_as_its_source_and_translated_when_shown(written_in_french):
    _member, link, _event = written_in_french
    with translation.override("fr"):
        event = services.change_status(
            link,
            LinkStatus.REAPPEARED,
            kind=EventKind.NOTE,
            message="Accepted again: the link had been %(status)s and is back online.",
            params={"status": LinkStatus.REMOVED.label},
        )
    event.refresh_from_db()
    assert event.data["message_params"] == {"status": "removed"}
    assert event.display_message() == "Accepted again: the link had been removed and is back online."
    with translation.override("fr"):
        assert str(LinkStatus.REMOVED.label) in event.display_message()


def test_free_text_old_rows_and_broken_params_come_back_unchanged(written_in_french):
    _member, link, _event = written_in_french
    note = LinkEvent(link=link, at=link.created_at, kind=EventKind.NOTE, message="Appelé la plateforme.")
    assert note.display_message() == "Appelé la plateforme."
    broken = LinkEvent(link=link, at=link.created_at, kind=EventKind.NOTE, message=SOURCE, data={"message_params": {}})
    assert broken.display_message() == SOURCE
    wrong = LinkEvent(
        link=link, at=link.created_at, kind=EventKind.NOTE, message=SOURCE, data={"message_params": {"x": 1}}
    )
    assert wrong.display_message() == SOURCE
    assert LinkEvent(link=link, at=link.created_at, kind=EventKind.NOTE).display_message() == ""


@pytest.mark.parametrize("use_cookie", [False, True])
def test_the_link_page_shows_the_event_in_the_readers_language(written_in_french, settings, use_cookie):
    member, link, _event = written_in_french
    url = reverse("takedowns:link", args=[link.pk])
    for language, expected, absent in (("en", ENGLISH, FRENCH), ("fr", FRENCH, ENGLISH)):
        client = Client()
        client.force_login(member.user)
        if use_cookie:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url)
        else:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        body = response.content.decode()
        assert response.status_code == 200
        assert expected.replace("'", "&#x27;") in body, language
        assert absent.replace("'", "&#x27;") not in body, language
    # Written at intake under French too: still English for an English reader.
    with translation.override("fr"):
        services.change_status(link, LinkStatus.REMOVED, kind=EventKind.NOTE, message="Reported by the member.")
    client = Client()
    client.force_login(member.user)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reported by the member." in body


def test_the_api_timeline_follows_accept_language(written_in_french):
    member, link, _event = written_in_french
    _row, token = create_api_token(member.user, "tests")
    client = Client()
    messages = {}
    for language in ("en", "fr"):
        response = client.get(
            f"/api/v1/links/{link.pk}", headers={"Authorization": f"Bearer {token}", "Accept-Language": language}
        )
        assert response.status_code == 200, response.content
        messages[language] = [e["message"] for e in response.json()["events"]]
    assert ENGLISH in messages["en"] and "Reported by the member." in messages["en"]
    assert FRENCH in messages["fr"] and ENGLISH not in messages["fr"]
    assert "Reported by the member." not in messages["fr"]


def test_the_digest_of_an_english_member_is_all_english(written_in_french, time_machine):
    member, _link, _event = written_in_french
    member.user.language = "en"
    member.user.save(update_fields=["language"])
    time_machine.move_to(dt.datetime(2099, 5, 4, 9, 0, tzinfo=dt.UTC))
    with translation.override("fr"):  # the worker's language
        assert services.send_result_digests() == 1
    body = mail.outbox[0].body
    assert ENGLISH in body
    assert FRENCH not in body and "Bonjour" not in body


def test_the_digest_of_a_french_member_is_french(written_in_french, time_machine):
    member, _link, _event = written_in_french
    member.user.language = "fr"
    member.user.save(update_fields=["language"])
    time_machine.move_to(dt.datetime(2099, 5, 4, 9, 0, tzinfo=dt.UTC))
    assert services.send_result_digests() == 1
    body = mail.outbox[0].body
    assert FRENCH in body and ENGLISH not in body


def test_an_escalation_written_by_a_french_worker_reads_in_english(registry_platforms):
    from sentinelle.checks.services import escalate_link

    interest = InterestFactory()
    services.submit_links(interest.member, interest.work.pk, "https://pirate.example.org/9", ["remove"])
    link = ReportedLink.objects.get()
    services.change_status(link, LinkStatus.STILL_ONLINE, kind=EventKind.CHECK)
    with translation.override("fr"):
        assert escalate_link(link, at=link.created_at) is not None
    event = link.events.filter(kind=EventKind.ESCALATED).get()
    assert event.display_message().startswith("Still online after the deadline: a reminder is sent to ")
    with translation.override("fr"):
        assert event.display_message().startswith("Toujours en ligne")
