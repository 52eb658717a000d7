"""Accessibility in the browser journeys: axe-core against WCAG 2.2 AA on every page a journey
visits. `assert_accessible(page)` checks the page as it is now (call it after each navigation,
and after showing errors or opening a panel); the `page` fixtures fail a journey that loaded a
page it never checked, so a new page cannot slip by unchecked."""

from pathlib import Path
from weakref import WeakKeyDictionary

# Vendored from the npm registry by scripts/vendor-frontend.sh (tests/e2e/vendor/README).
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# axe-core's tags for the WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_visits: WeakKeyDictionary = WeakKeyDictionary()


def _document(url: str) -> str:
    """The address of the document shown: a fragment only scrolls within it."""
    return url.split("#", 1)[0]


class Visits:
    """The addresses one page loaded, and those axe has checked."""

    def __init__(self):
        self.loaded: list[str] = []
        self.checked: set[str] = set()

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.loaded) if url not in self.checked]


def track(page) -> Visits:
    """Record every document `page` loads, for `assert_every_page_checked`."""
    visits = _visits[page] = Visits()
    page.on("load", lambda loaded: visits.loaded.append(_document(loaded.url)))
    return visits


def assert_accessible(page) -> None:
    """Run axe-core on the page as shown now; fail with each violation and where it is."""
    # A click that navigates returns once the new document is committed, not loaded: on a busy
    # machine axe would otherwise run on a half-built (or replaced) document.
    page.wait_for_load_state("load")
    # Page.evaluate runs outside the page's Content-Security-Policy, which forbids inline script.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    if page in _visits:
        _visits[page].checked.add(_document(page.url))
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(n["target"]) for n in v["nodes"])
        for v in result["violations"]
    ]
    assert problems == [], f"axe-core found on {page.url}:\n" + "\n".join(problems)


def assert_every_page_checked(page) -> None:
    """Check the page left open, then fail if the journey loaded any page it never checked."""
    visits = _visits.get(page)
    if visits is None or page.is_closed():
        return
    if visits.loaded and _document(page.url) not in visits.checked:
        assert_accessible(page)
    assert visits.unchecked() == [], f"pages loaded but never checked by axe: {visits.unchecked()}"
