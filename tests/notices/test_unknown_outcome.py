"""A notice whose hand-over outcome is unknown is resent, marked, and shown to staff (issue 10, 3).

The SIGKILL drills are test_crash.py (a real worker) and bench/crash_drill.py (many kills); this
is the recovery rule alone, without a subprocess.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sentinelle.notices import selectors, services
from sentinelle.notices.models import AttemptOutcome, DeliveryAttempt, Notice, NoticeStatus
from sentinelle.takedowns.models import EventKind, LinkEvent
from tests.factories import UserFactory
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


def _stale(outcome: str) -> Notice:
    """A notice a worker claimed, then died with its last attempt at ``outcome``."""
    make_links(rights(), email_platform("Host", "host.fr"), ["https://host.fr/a"])
    services.build_notices()
    notice = Notice.objects.get()
    past = timezone.now() - dt.timedelta(hours=1)
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.SENDING, lease_until=past, attempt_count=1)
    DeliveryAttempt.objects.create(
        notice=notice, number=1, started_at=past, channel=notice.channel, outcome=outcome, handed_over=True
    )
    return notice


def test_after_the_hand_over_the_notice_is_resent_with_its_identifiers_and_marked(mailoutbox):
    notice = _stale(AttemptOutcome.COMMITTING)
    counts = services.deliver_due()
    assert counts["resent_after_unknown_outcome"] == 1 and counts["delivered"] == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and notice.resent_after_unknown_outcome
    assert list(notice.attempts.order_by("number").values_list("outcome", flat=True)) == ["unknown", "delivered"]
    # The same identifiers as the first hand-over: the recipient recognises a duplicate.
    [message] = mailoutbox
    assert message.extra_headers["Message-ID"] == notice.message_id
    event = LinkEvent.objects.get(kind=EventKind.NOTICE_SENT)
    assert event.data["resent_after_unknown_outcome"] is True
    assert list(selectors.resent_after_unknown_outcome()) == [notice]


def test_before_the_hand_over_it_is_resent_unmarked(mailoutbox):
    notice = _stale(AttemptOutcome.STARTED)
    assert services.deliver_due()["resent_after_unknown_outcome"] == 0
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and not notice.resent_after_unknown_outcome
    assert len(mailoutbox) == 1
    assert not selectors.resent_after_unknown_outcome().exists()


def test_staff_filter_the_notices_resent_after_an_unknown_outcome(client, mailoutbox):
    notice = _stale(AttemptOutcome.COMMITTING)
    services.deliver_due()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:notices_notice_changelist")
    page = client.get(url, {"resent_after_unknown_outcome__exact": "1"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [notice]
    assert "resent after an unknown outcome" in page.content.decode()


def test_the_staff_work_queue_lists_them(client, mailoutbox):
    from django.contrib.auth.models import Permission

    notice = _stale(AttemptOutcome.COMMITTING)
    services.deliver_due()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_notice"))
    client.force_login(user)
    page = client.get(reverse("desk:queue"))
    assert page.status_code == 200
    assert page.context["counts"]["resent_after_unknown_outcome"] == 1
    html = page.content.decode()
    section = html.split('id="resent-unknown"', 1)[1]
    assert f"#{notice.pk}" in section and notice.message_id in section.replace("&lt;", "<").replace("&gt;", ">")
