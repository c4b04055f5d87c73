"""A member who forgot their password gets a new one through the e-mail, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_forgotten_password_is_replaced_through_the_link_in_the_mail(page, live_server, settings, tmp_path):
    cache.clear()  # the reset limits (this process's LocMem cache)
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # the mail's task
    UserFactory(email="forgetful@example.org", language="en")

    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "forgetful@example.org")
    page.get_by_role("button", name="Send me a link").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()

    (message,) = (tmp_path / "outbox").iterdir()
    link = re.search(r"(http://\S+/password-reset/\S+/)", message.read_text()).group(1)
    page.goto(link)
    page.fill("#id_new_password1", "autumn-leaves-1945")
    page.fill("#id_new_password2", "autumn-leaves-1945")
    page.get_by_role("button", name="Save the new password").click()
    assert page.get_by_role("heading", name="Password changed").is_visible()

    page.get_by_role("link", name="Log in").last.click()
    page.fill("#id_username", "forgetful@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    assert "didn't match" in page.locator("main").inner_text()  # the old password is gone
    page.fill("#id_password", "autumn-leaves-1945")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/catalogue/"))
