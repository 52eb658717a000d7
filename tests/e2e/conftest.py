"""Browser journeys: Playwright driving Debian's chromium (never a downloaded browser)."""

import os
import shutil

import pytest

from tests.e2e.accessibility import assert_every_page_checked, track

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the test itself
    makes (setting up users) are still synchronous and safe. Only for browser modules."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="module")
def browser():
    """One browser per module: Playwright's event loop must stop before non-browser tests run,
    or Django refuses their synchronous database calls."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM}: run `make browser`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _page(browser, live_server, *, viewport=PHONE, allowed: str = ""):
    """A page on which any console error (a Content-Security-Policy violation, a missing asset, a
    script error) fails the journey, but for those containing `allowed`; so does any page it
    loaded that axe-core never checked (tests/e2e/accessibility.py)."""
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    track(page)
    yield page
    assert_every_page_checked(page)
    context.close()
    assert [e for e in errors if not (allowed and allowed in e)] == [], errors


@pytest.fixture
def page(browser, live_server):
    """Phone-sized, as link workers and people mostly use Linkwell."""
    yield from _page(browser, live_server)


@pytest.fixture
def desktop_page(browser, live_server):
    yield from _page(browser, live_server, viewport=DESKTOP)


@pytest.fixture(params=["page", "desktop_page"], ids=["phone", "desktop"])
def screen(request):
    """The journey run twice: at phone size and at desktop size."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def refused_page(browser, live_server):
    """For journeys opening a link meant to be refused: the browser logs the page's own 410
    status as a console error; any other error still fails the journey."""
    yield from _page(browser, live_server, allowed="status of 410")
