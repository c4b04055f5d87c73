"""The staff's notice desk: discard and rebuild, queue again, the answer sheet, the list and the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from sentinelle.notices import services
from sentinelle.notices.channels.base import DeliveryError, DeliveryReceipt
from sentinelle.notices.legal import NoticeData
from sentinelle.notices.models import (
    AttemptOutcome,
    Decision,
    Notice,
    NoticeItem,
    NoticeStatus,
    RecipientAnswer,
)
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus
from tests.factories import UserFactory, make_platform
from tests.notices.helpers import SmtpSink, email_platform, free_port, make_links, rights

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notices/notice/"
URLS = ["https://host.fr/a", "https://host.fr/b", "https://host.fr/c", "https://host.fr/d"]


def staff(*perms: str, superuser: bool = False):
    user = UserFactory(is_staff=True, is_superuser=superuser)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notices", codename=codename))
    return user


@pytest.fixture
def staff_client(client):
    client.force_login(staff(superuser=True))
    return client


def held_notice(urls: list[str] = URLS[:3]) -> Notice:
    """A recipient the registry has no contact for: its notice is built, and held."""
    host = make_platform(
        "Host", "file_host", ["host.fr"], jurisdiction="FR", regime="eu", notice_language="fr", notice_channel="email"
    )
    make_links(rights(), host, urls)
    services.build_notices()
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.DRAFT and notice.hold_reason
    return notice


def delivered_notice(urls: list[str] = URLS) -> Notice:
    make_links(rights(), email_platform("Host", "host.fr"), urls)
    services.build_notices()
    services.deliver_due()  # the locmem backend of the tests
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.DELIVERED
    return notice


def fix_registry(notice: Notice) -> None:
    platform = notice.recipient_platform
    platform.contact_email = "abuse@host.fr"
    platform.save()


# --- discarding ---------------------------------------------------------------------------------


def test_a_discarded_notice_releases_its_links_into_a_new_notice_once_the_registry_is_fixed():
    held = held_notice()
    fix_registry(held)
    assert services.build_notices().notices == []  # the held notice still holds its links

    released = services.discard_notice(held, staff(), "contact e-mail added to the registry")

    assert released == 3
    held.refresh_from_db()
    assert held.status == NoticeStatus.DISCARDED and held.discard_reason == "contact e-mail added to the registry"
    assert held.items.filter(discarded=True).count() == 3  # kept as a record of what it listed
    result = services.build_notices()
    assert len(result.notices) == 1 and result.items == 3
    fresh = Notice.objects.get(pk=result.notices[0])
    assert fresh.status == NoticeStatus.QUEUED and fresh.recipient_email == "abuse@host.fr"
    assert sorted(fresh.items.values_list("url", flat=True)) == URLS[:3]
    assert fresh.message_id != held.message_id
    assert services.deliver_due()["delivered"] == 1
    held.refresh_from_db()
    assert held.status == NoticeStatus.DISCARDED and held.sent_at is None
    assert services.build_notices().notices == []  # the new items hold the links again


def test_discarding_appends_a_note_to_each_link_and_keeps_its_status():
    held = held_notice()
    actor = staff()
    services.discard_notice(held, actor, "wrong recipient")
    notes = LinkEvent.objects.filter(kind=EventKind.NOTE)
    assert notes.count() == 3
    for note in notes:
        assert note.from_status == note.to_status == LinkStatus.ACCEPTED
        assert note.actor == actor and note.data["notice_id"] == held.pk and "wrong recipient" in note.display_message()
    assert set(NoticeItem.objects.values_list("link__status", flat=True)) == {LinkStatus.ACCEPTED}


def test_a_delivered_notice_cannot_be_discarded():
    notice = delivered_notice()
    with pytest.raises(services.DiscardError) as caught:
        services.discard_notice(notice, staff(), "oops")
    assert caught.value.code == "not_discardable"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert not notice.items.filter(discarded=True).exists()
    assert not LinkEvent.objects.filter(kind=EventKind.NOTE).exists()
    assert services.build_notices().notices == []


def test_a_notice_being_sent_cannot_be_discarded():
    held = held_notice()
    Notice.objects.filter(pk=held.pk).update(status=NoticeStatus.SENDING)
    with pytest.raises(services.DiscardError) as caught:
        services.discard_notice(held, staff(), "oops")
    assert caught.value.code == "not_discardable"


def test_discarding_needs_a_reason():
    held = held_notice()
    with pytest.raises(services.DiscardError) as caught:
        services.discard_notice(held, staff(), "   ")
    assert caught.value.code == "reason_required"
    held.refresh_from_db()
    assert held.status == NoticeStatus.DRAFT


class DropsAfterHandOver:
    """A channel whose connection drops after its point of no return: the recipient may have the notice."""

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        commit_point()
        raise DeliveryError("connection dropped after the final '.'", temporary=True)


class RefusedOutright:
    """A channel whose recipient answers with a permanent refusal after the point of no return."""

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        commit_point()
        raise DeliveryError("550 no such mailbox", temporary=False)


def failed_notice(settings: Any, channel: type) -> Notice:
    settings.SENTINELLE_NOTICE_MAX_ATTEMPTS = 1
    settings.SENTINELLE_NOTICE_CHANNELS = {"email": f"{__name__}.{channel.__name__}"}
    make_links(rights(), email_platform("Host", "host.fr"), URLS[:2])
    services.build_notices()
    services.deliver_due()
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.FAILED
    return notice


def test_a_failed_notice_that_may_have_reached_its_recipient_is_queued_again_not_discarded(settings):
    notice = failed_notice(settings, DropsAfterHandOver)
    assert notice.attempts.get().handed_over
    with pytest.raises(services.DiscardError) as caught:
        services.discard_notice(notice, staff(), "registry fixed")
    assert caught.value.code == "may_have_been_delivered"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED


def test_a_failed_notice_refused_outright_can_be_discarded(settings):
    notice = failed_notice(settings, RefusedOutright)
    assert services.discard_notice(notice, staff(), "the mailbox does not exist; contact fixed") == 2
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.DISCARDED


def test_staff_discard_and_rebuild_from_the_notice_list(staff_client):
    held = held_notice()
    fix_registry(held)
    action = {"action": "discard_and_rebuild", "_selected_action": [held.pk]}

    confirm = staff_client.post(CHANGELIST, action)
    assert confirm.status_code == 200 and b'name="reason"' in confirm.content
    no_reason = staff_client.post(CHANGELIST, {**action, "post": "yes", "reason": ""})
    assert no_reason.status_code == 200 and Notice.objects.get(pk=held.pk).status == NoticeStatus.DRAFT

    done = staff_client.post(CHANGELIST, {**action, "post": "yes", "reason": "contact added"}, follow=True)

    assert done.status_code == 200 and b"1 new notice(s) built" in done.content
    held.refresh_from_db()
    assert held.status == NoticeStatus.DISCARDED and held.discarded_by is not None
    fresh = Notice.objects.exclude(pk=held.pk).get()
    assert fresh.status == NoticeStatus.QUEUED and fresh.items.count() == 3


def test_discard_and_rebuild_leaves_a_delivered_notice_alone(staff_client):
    notice = delivered_notice()
    action = {"action": "discard_and_rebuild", "_selected_action": [notice.pk], "post": "yes", "reason": "x"}
    response = staff_client.post(CHANGELIST, action, follow=True)
    assert response.status_code == 200
    assert Notice.objects.get().status == NoticeStatus.DELIVERED


# --- queueing a failed notice again -------------------------------------------------------------


def test_staff_queue_a_failed_notice_again_with_the_same_message_id(settings, staff_client):
    sink = SmtpSink(port=free_port())  # not listening yet: connections are refused
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.SENTINELLE_NOTICE_MAX_ATTEMPTS = 1
    make_links(rights(), email_platform("Host", "host.fr"), URLS[:1])
    services.build_notices()
    services.deliver_due()
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.FAILED

    staff_client.post(CHANGELIST, {"action": "requeue_failed", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED and notice.attempt_count == 0
    sink.start()
    try:
        assert services.deliver_due()["delivered"] == 1
    finally:
        sink.stop()

    assert sink.message_ids() == [notice.message_id]
    assert list(notice.attempts.values_list("number", "outcome")) == [
        (1, AttemptOutcome.TEMPORARY_FAILURE),
        (2, AttemptOutcome.DELIVERED),
    ]


# --- the answer sheet ---------------------------------------------------------------------------


def sheet_url(notice: Notice) -> str:
    return f"/admin/notices/notice/{notice.pk}/answers/"


def sheet_data(notice: Notice, rows: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """{url: (decision, reason, content)} → the form's fields; other items left on "no answer"."""
    data: dict[str, str] = {}
    for item in notice.items.all():
        decision, reason, content = rows.get(item.url, ("", "", ""))
        data.update({f"decision_{item.pk}": decision, f"reason_{item.pk}": reason, f"content_{item.pk}": content})
    return data


def test_the_answer_sheet_records_several_answers_at_once():
    notice = delivered_notice()
    user = staff("view_notice", "change_notice")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get(sheet_url(notice))
    assert page.status_code == 200
    assert all(url.encode() in page.content for url in URLS)
    data = sheet_data(
        notice,
        {
            URLS[0]: (Decision.ACTIONED, "", ""),
            URLS[1]: (Decision.REFUSED, "Licensed by the uploader", ""),
            URLS[2]: (Decision.COUNTER_NOTICE, "", "I own this recording."),
        },
    )

    response = browser.post(sheet_url(notice), {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})

    assert response.status_code == 302 and response["Location"].endswith(f"/{notice.pk}/change/")
    links = {i.url: i.link for i in notice.items.select_related("link")}
    assert [links[u].status for u in URLS] == [
        LinkStatus.REMOVAL_ANNOUNCED,  # the checks confirm it
        LinkStatus.REFUSED_BY_PLATFORM,
        LinkStatus.COUNTER_NOTICE,
        LinkStatus.NOTICE_SENT,  # left on "no answer"
    ]
    events = LinkEvent.objects.filter(kind=EventKind.ANSWER)
    assert events.count() == 3
    assert {e.data["recorded_via"] for e in events} == {"staff"} and {e.actor for e in events} == {user}
    counter = events.get(link=links[URLS[2]])
    assert "I own this recording." in counter.display_message()
    assert RecipientAnswer.objects.filter(recorded_by=user).count() == 3
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ANSWERED


def test_the_answer_sheet_refuses_a_post_without_its_csrf_token():
    notice = delivered_notice()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff("view_notice", "change_notice"))
    response = browser.post(sheet_url(notice), sheet_data(notice, {URLS[0]: (Decision.ACTIONED, "", "")}))
    assert response.status_code == 403
    assert not RecipientAnswer.objects.exists()


def test_a_refusal_without_its_reason_is_sent_back_and_nothing_is_recorded(staff_client):
    notice = delivered_notice()
    data = sheet_data(notice, {URLS[0]: (Decision.ACTIONED, "", ""), URLS[1]: (Decision.REFUSED, " ", "")})
    response = staff_client.post(sheet_url(notice), data)
    assert response.status_code == 200 and b"A refusal needs its reason." in response.content
    assert not RecipientAnswer.objects.exists() and not LinkEvent.objects.filter(kind=EventKind.ANSWER).exists()


def test_an_empty_answer_sheet_records_nothing(staff_client):
    notice = delivered_notice()
    response = staff_client.post(sheet_url(notice), sheet_data(notice, {}))
    assert response.status_code == 200 and not RecipientAnswer.objects.exists()


def test_a_notice_not_yet_delivered_has_no_answer_sheet(staff_client):
    held = held_notice()
    page = staff_client.get(sheet_url(held))
    assert page.status_code == 200 and b"<select" not in page.content
    staff_client.post(sheet_url(held), sheet_data(held, {URLS[0]: (Decision.ACTIONED, "", "")}))
    assert not RecipientAnswer.objects.exists()


def test_the_notice_page_links_to_its_answer_sheet(staff_client):
    notice = delivered_notice()
    page = staff_client.get(f"/admin/notices/notice/{notice.pk}/change/")
    assert sheet_url(notice).encode() in page.content


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_answer_sheet_sends_non_staff_to_the_login_page(client, who):
    notice = delivered_notice()
    if who == "member":
        client.force_login(UserFactory())
    for response in (client.get(sheet_url(notice)), client.post(sheet_url(notice), sheet_data(notice, {}))):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not RecipientAnswer.objects.exists()


def test_staff_without_the_change_permission_get_a_403(client):
    notice = delivered_notice()
    client.force_login(staff("view_notice"))
    assert client.get(sheet_url(notice)).status_code == 403
    data = sheet_data(notice, {URLS[0]: (Decision.ACTIONED, "", "")})
    assert client.post(sheet_url(notice), data).status_code == 403
    assert not RecipientAnswer.objects.exists()
    page = client.get(f"/admin/notices/notice/{notice.pk}/change/")
    assert page.status_code == 200 and sheet_url(notice).encode() not in page.content


# --- the list and the page ----------------------------------------------------------------------


def test_the_notice_list_filters_by_status_recipient_and_date(staff_client):
    r = rights()
    make_links(r, email_platform("Alpha Host", "alpha.fr"), ["https://alpha.fr/1"])
    make_links(r, email_platform("Beta Host", "beta.fr"), ["https://beta.fr/1"])
    services.build_notices()
    alpha = Notice.objects.get(recipient_name="Alpha Host")

    by_recipient = staff_client.get(CHANGELIST, {"recipient": alpha.recipient_key})
    assert by_recipient.status_code == 200
    assert list(by_recipient.context["cl"].queryset) == [alpha]
    by_status = staff_client.get(CHANGELIST, {"status__exact": NoticeStatus.QUEUED})
    assert by_status.context["cl"].result_count == 2
    built = timezone.localtime(alpha.created_at)  # the admin filters on the society's calendar day
    by_date = staff_client.get(
        CHANGELIST, {"created_at__year": built.year, "created_at__month": built.month, "created_at__day": built.day}
    )
    assert by_date.status_code == 200 and by_date.context["cl"].result_count == 2
    assert staff_client.get(CHANGELIST, {"created_at__year": built.year - 1}).context["cl"].result_count == 0


def test_the_notice_page_is_read_only_and_shows_its_attempts(staff_client):
    notice = delivered_notice()
    url = f"/admin/notices/notice/{notice.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # nothing to save: a notice is never edited
    assert notice.body.splitlines()[0].encode() in page.content
    assert all(u.encode() in page.content for u in URLS)
    assert b"delivery attempt" in page.content.lower()
    assert staff_client.post(url, {"status": NoticeStatus.QUEUED}).status_code == 403
    assert Notice.objects.get().status == NoticeStatus.DELIVERED
