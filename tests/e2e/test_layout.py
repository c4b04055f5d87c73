"""The page frame with a keyboard and on a phone: skip link, focus ring, menu, language button."""

from __future__ import annotations

import pytest

from tests.e2e.pages import session_cookie
from tests.factories import InterestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member_page(browser, live_server, *, width: int, height: int = 800):
    interest = InterestFactory(work__title="Les Feuilles mortes", member__user__language="en")
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    context.add_cookies([session_cookie(interest.member.user, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/works/{interest.work_id}/report/")
    return context, page, interest.member.user


def test_the_first_tab_reaches_a_skip_link_that_moves_to_the_content(browser, live_server):
    context, page, _user = _member_page(browser, live_server, width=1366)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_every_control_shows_a_focus_ring_of_at_least_two_pixels(browser, live_server):
    context, page, _user = _member_page(browser, live_server, width=1366)
    controls = page.locator("a[href], button:visible, input:not([type=hidden]), select, textarea").count()
    rings = []
    for _ in range(controls):
        page.keyboard.press("Tab")
        rings.append(
            page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                 return [e.tagName + '.' + e.className + ' ' + (e.name || e.textContent.trim()).slice(0, 30),
                         s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
            )
        )
    assert len(rings) >= 10
    rings = [ring for ring in rings if not ring[0].startswith("BODY.")]  # past the last control
    thin = [name for name, style, width in rings if style == "none" or width < 2]
    assert not thin, thin
    context.close()


def test_on_a_phone_the_links_fold_behind_a_menu_button(browser, live_server):
    context, page, _user = _member_page(browser, live_server, width=360, height=740)
    history = page.get_by_role("link", name="My history")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible() and not history.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and history.is_visible()
    page.keyboard.press("Escape")
    assert not history.is_visible()
    context.close()


def test_on_a_desktop_the_links_show_without_a_menu_button(browser, live_server):
    context, page, _user = _member_page(browser, live_server, width=1366)
    assert page.get_by_role("link", name="My history").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    context.close()


def test_choosing_a_language_waits_for_the_button(browser, live_server):
    context, page, user = _member_page(browser, live_server, width=1366)
    page.select_option("#language-select", "fr")
    page.wait_for_timeout(300)  # a change handler would have submitted by now
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert "/report/" in page.url
    user.refresh_from_db()
    assert user.language == "fr"
    context.close()
