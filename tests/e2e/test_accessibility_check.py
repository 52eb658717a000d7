"""The axe-core check itself: it finds a real WCAG failure, and a journey that loads a page it
never checks fails."""

import pytest

from tests.e2e.accessibility import assert_accessible, assert_every_page_checked, track

pytestmark = [pytest.mark.e2e]


def test_axe_reports_a_wcag_failure(browser):
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
    page.close()


def test_a_page_loaded_but_never_checked_fails_the_journey(browser):
    page = browser.new_page()
    track(page)
    page.goto("data:text/html,<html lang='en'><title>a</title><main><h1>A</h1></main></html>")
    assert_accessible(page)
    page.goto("data:text/html,<html lang='en'><title>b</title><main><h1>B</h1></main></html>")
    page.goto("data:text/html,<html lang='en'><title>c</title><main><h1>C</h1></main></html>")
    with pytest.raises(AssertionError, match="never checked"):
        assert_every_page_checked(page)
    page.close()
