"""E-mails to members: in the member's language, with dates they cannot misread and links to the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from sentinelle.takedowns import services
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed(registry_platforms, time_machine, settings):
    settings.SENTINELLE_PUBLIC_URL = "https://sentinelle.example.org"
    interest = InterestFactory(work__title="Le Temps des cerises", member__user__language="")
    services.submit_links(interest.member, interest.work.pk, "https://pirate.example.org/1", ["remove"])
    link = ReportedLink.objects.get()
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 46, tzinfo=dt.UTC))  # 10:46 in Paris
    services.change_status(link, LinkStatus.REMOVED, kind=EventKind.RESULT)
    return interest.member, link


@pytest.mark.parametrize(
    ("language", "hello", "when", "status"),
    [("en", "Hello", "1 Dec 2026 10:46", "removed"), ("fr", "Bonjour", "1 déc. 2026 10:46", "retiré")],
)
def test_the_digest_is_in_the_language_stored_on_the_account(removed, settings, language, hello, when, status):
    member, _link = removed
    settings.LANGUAGE_CODE = "fr" if language == "en" else "en"  # never the site's default by chance
    member.user.language = language
    member.user.save()
    services.send_result_digests()
    body = mail.outbox[0].body
    assert body.startswith(f"{hello} ") and when in body and status in body


def test_a_member_who_never_chose_gets_the_society_language(removed, settings):
    settings.LANGUAGE_CODE = "fr"
    services.send_result_digests()
    assert mail.outbox[0].body.startswith("Bonjour ")


def test_the_digest_links_to_each_link_page_and_to_the_history(removed):
    _member, link = removed
    services.send_result_digests()
    body = mail.outbox[0].body
    assert f"https://sentinelle.example.org/links/{link.pk}/" in body
    assert "https://sentinelle.example.org/history/" in body
