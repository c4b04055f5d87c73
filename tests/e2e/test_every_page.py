"""Every page, in a real browser, on a phone and on a desktop: nothing wider than the window.

The pages come from tests/e2e/pages.py (read from the URL configuration), so a page added later is
checked without editing this test.
"""

from __future__ import annotations

import pytest

from tests.e2e.pages import build_world, html_pages, session_cookie, site_pages, staff_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _visit_all(browser, live_server, world, paths, *, width: int, height: int) -> tuple[list[str], int]:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    context.add_cookies([session_cookie(world.user, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems, seen = [], 0
    try:
        for path in paths:
            response = page.goto(live_server.url + path)
            if response is None or response.status >= 400:
                problems.append(f"{path}: HTTP {response.status}")
                continue
            seen += 1
            scroll_width, inner_width = page.evaluate(OVERFLOW)
            if scroll_width > inner_width:
                problems.append(f"{path}: {scroll_width} px wide in a {inner_width} px window")
    finally:
        context.close()
    return problems, seen


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1366, 900)])
def test_no_page_is_wider_than_the_window(browser, live_server, registry_platforms, custody_flush, width, height):
    world = build_world()
    paths = html_pages(world, site_pages(world))
    problems, seen = _visit_all(browser, live_server, world, paths, width=width, height=height)
    assert not problems, "\n".join(problems)
    # The member's pages and the investigators' are all there (a vacuous pass is impossible).
    assert seen >= 10, paths


def test_the_back_office_fits_a_1366_pixel_screen(browser, live_server, registry_platforms, custody_flush):
    world = build_world()
    paths = staff_pages(world)
    problems, seen = _visit_all(browser, live_server, world, paths, width=1366, height=900)
    assert not problems, "\n".join(problems)
    assert seen == len(paths)
