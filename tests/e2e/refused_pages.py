"""A fixture for journeys that open a link meant to be refused (410 Gone)."""

import pytest


@pytest.fixture
def refused_page(browser, live_server):
    """A phone-sized page expecting refusals: the browser logs the page's own 410 status as a
    console error; any other console error still fails the journey."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert [e for e in errors if "status of 410" not in e] == [], errors
