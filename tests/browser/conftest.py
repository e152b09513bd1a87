"""Playwright driving the system Chromium (Debian's package) against Django's live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TABLET_LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI installs it with apt-get install chromium.")
        pytest.skip(f"{message}: run 'apt-get install chromium' (make test does when it can).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
    # around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Every page reports what the Content-Security-Policy refused, as the browser sees it; the app's
# CSP is enforced in these tests exactly as in production.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` in ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


class CspWatch:
    """The CSP violations every page of a browser context met (the browser's own console reports
    and the pages' ``securitypolicyviolation`` events)."""

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        self.violations: list[str] = []
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("page", self._watch)

    def _watch(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", self._seen)

    def _seen(self, message) -> None:  # type: ignore[no-untyped-def]
        text = message.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            self.violations.append(text)


@pytest.fixture
def csp_violations() -> list[CspWatch]:
    """The watches of this test's browser contexts; each must end with no violation."""
    watches: list[CspWatch] = []
    yield watches
    seen = [violation for watch in watches for violation in watch.violations]
    assert seen == [], "the Content-Security-Policy refused:\n" + "\n".join(seen)


def _new_page(browser, csp_violations, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(**options)
    csp_violations.append(CspWatch(context))
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(chromium_browser, live_server, csp_violations):  # type: ignore[no-untyped-def]
    context, page = _new_page(
        chromium_browser, csp_violations, viewport=TABLET_LANDSCAPE, base_url=live_server.url, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def phone(chromium_browser, live_server, csp_violations):  # type: ignore[no-untyped-def]
    """A customer's own phone (390×844, touch, mobile layout) on the public pages."""
    context, phone = _new_page(
        chromium_browser,
        csp_violations,
        viewport=PHONE,
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
    )
    yield phone
    context.close()
