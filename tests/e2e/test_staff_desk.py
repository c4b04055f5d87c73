"""A staff member's work queue in a real browser: held notices, a contact that releases them, a hand delivery."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeStatus
from tests.factories import PASSWORD, UserFactory
from tests.notices.helpers import SOCIETY, make_links, rights

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_give_a_contact_and_mark_a_hand_delivery_as_sent(page, live_server, settings):
    settings.SENTINELLE_SOCIETY = dict(SOCIETY)
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
    user = UserFactory(email="desk@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_notice"))
    make_links(rights(), None, ["https://nothing.to/a", "https://nothing.to/b"])
    services.build_notices()

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "desk@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/"))  # staff land on the work queue
    assert page.locator('[data-count="held_no_contact"]').inner_text() == "1"
    row = page.locator('tr.held[data-domain="nothing.to"]')
    assert "No contact is known yet for nothing.to" in row.inner_text()

    # The site's DMCA page is a web form: a hand delivery once given.
    row.locator("select[name=kind]").select_option("web_form")
    row.locator("input[name=address]").fill("https://nothing.to/dmca")
    row.get_by_role("button", name="Give this contact and release").click()
    page.wait_for_selector(".messages")
    assert "1 held notice(s) released" in page.locator(".messages").inner_text()
    services.build_notices()

    page.reload()
    card = page.locator("article.hand-delivery")
    assert card.count() == 1 and "https://nothing.to/dmca" in card.inner_text()
    assert "NOTICE OF ILLEGAL CONTENT" in card.locator("textarea").input_value()
    card.locator("input[name=note]").fill("form sent, ticket 42")
    card.get_by_role("button", name="Mark as sent").click()
    page.wait_for_selector(".messages")
    assert "recorded as sent by you" in page.locator(".messages").inner_text()
    notice = Notice.objects.get(status=NoticeStatus.DELIVERED)
    assert notice.recipient_endpoint == "https://nothing.to/dmca"
    assert notice.attempts.get().actor == user
    assert notice.sent_at is not None and notice.sent_at <= timezone.now()
    assert page.locator("article.hand-delivery").count() == 0
    assert page.locator('[data-count="hand_deliveries"]').inner_text() == "0"
