"""Every page, in a real browser, on a phone and on a desktop: nothing wider than the window, and
no serious or critical accessibility violation (axe-core) on any member, investigator or staff page.

The pages come from tests/e2e/pages.py (read from the URL configuration), so a page added later is
checked without editing this test.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.pages import build_world, html_pages, session_cookie, site_pages, staff_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# axe-core (static/vendor/axe-core, from the npm registry): only what it rates serious or critical fails.
AXE_SCRIPT = "/static/vendor/axe-core/axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def _visit_all(browser, live_server, world, paths, *, width: int, height: int, axe: bool) -> tuple[list[str], int]:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    if world is not None and getattr(world, "user", None) is not None:
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
            if axe:
                page.add_script_tag(url=live_server.url + AXE_SCRIPT)
                problems.extend(f"{path}: {violation}" for violation in page.evaluate(AXE_RUN))
    finally:
        context.close()
    return problems, seen


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1366, 900)])
def test_no_page_is_wider_than_the_window(browser, live_server, registry_platforms, custody_flush, width, height):
    world = build_world()
    paths = html_pages(world, site_pages(world))
    # axe-core runs once, on the desktop pass (its rules do not depend on the width).
    problems, seen = _visit_all(browser, live_server, world, paths, width=width, height=height, axe=width > 1000)
    assert not problems, "\n".join(problems)
    # The member's pages and the investigators' are all there (a vacuous pass is impossible).
    assert seen >= 10, paths


def test_the_back_office_fits_a_1366_pixel_screen(browser, live_server, registry_platforms, custody_flush):
    world = build_world()
    paths = staff_pages(world)
    problems, seen = _visit_all(browser, live_server, world, paths, width=1366, height=900, axe=True)
    assert not problems, "\n".join(problems)
    assert seen == len(paths)


def test_the_pages_of_a_visitor_pass_axe_and_fit_a_phone(browser, live_server, db):
    """The login and password-reset pages, seen logged out (a logged-in visit is redirected)."""
    paths = [reverse("login"), reverse("password_reset"), reverse("password_reset_done")]
    for width, height in ((360, 740), (1366, 900)):
        problems, seen = _visit_all(browser, live_server, None, paths, width=width, height=height, axe=width > 1000)
        assert not problems, "\n".join(problems)
        assert seen == len(paths)
