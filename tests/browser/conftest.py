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


# Two checks on every page a browser test loads: nothing wider than the screen (no sideways
# scrolling), and every control a finger can hit at least 44 × 44 px. A link inside a sentence is
# exempt (WCAG 2.5.8's inline exception), and so is what is hidden or off-screen (the skip link);
# a page whose body says ``data-layout-check="overflow-only"`` (the API's docs) is checked for overflow only.
_LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(-1)
      .map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : ""));
    problems.push(
      `${location.pathname} is ${root.scrollWidth} px wide on a ${root.clientWidth} px screen (${wide})`
    );
  }
  // The API's docs (Swagger UI, for developers at a desk) are checked for overflow only.
  if (document.body.dataset.layoutCheck === "overflow-only") return problems;
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const hidden = !box.width || !box.height || style.visibility === "hidden";
    if (hidden || box.right < 0 || box.bottom < 0) continue;
    const inSentence = el.parentElement.closest("p, li, dd, td, .muted, small");
    if (el.matches("a") && style.display === "inline" && inSentence) continue;
    let target = box;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label =
        el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) target = label.getBoundingClientRect();
    }
    if (target.width < 43.5 || target.height < 43.5) {
      const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.type || "")
        .trim()
        .slice(0, 30);
      const size = `${Math.round(target.width)}×${Math.round(target.height)}`;
      problems.push(`${location.pathname}: ${el.tagName.toLowerCase()} "${name}" is ${size} px`);
    }
  }
  return problems;
}
"""


LAYOUT_PREFIX = "Layout problem: "
# Run in the page itself when it has loaded, and said on its console: a check the test's next step
# would have cut short (the page left before an evaluate from here could run) is still made.
_REPORT_LAYOUT = f"""
window.addEventListener("load", () => {{
  for (const problem of ({_LAYOUT_PROBLEMS})()) console.warn({LAYOUT_PREFIX!r} + problem);
}});
"""


class LayoutWatch:
    """What the two layout checks found on every page this browser context loaded."""

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        self.problems: list[str] = []
        context.add_init_script(_REPORT_LAYOUT)
        context.on("page", self._watch)

    def _watch(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", self._seen)

    def _seen(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.text.startswith(LAYOUT_PREFIX):
            self._add([message.text.removeprefix(LAYOUT_PREFIX)])

    def check(self, page) -> None:  # type: ignore[no-untyped-def]
        """The page as it is now, changed without a load (an htmx fragment, a rotation)."""
        self._add(page.evaluate(_LAYOUT_PROBLEMS))

    def _add(self, found: list[str]) -> None:
        self.problems.extend(problem for problem in found if problem not in self.problems)


@pytest.fixture
def layout_problems() -> list[LayoutWatch]:
    """The watches of this test's browser contexts; each must end with nothing found."""
    watches: list[LayoutWatch] = []
    yield watches
    found = [problem for watch in watches for problem in watch.problems]
    assert found == [], "pages that do not fit, or controls too small to tap:\n" + "\n".join(found)


def _new_page(browser, csp_violations, layout_problems=None, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(**options)
    csp_violations.append(CspWatch(context))
    if layout_problems is not None:
        layout_problems.append(LayoutWatch(context))
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(chromium_browser, live_server, csp_violations, layout_problems):  # type: ignore[no-untyped-def]
    context, page = _new_page(
        chromium_browser,
        csp_violations,
        layout_problems,
        viewport=TABLET_LANDSCAPE,
        base_url=live_server.url,
        has_touch=True,
    )
    yield page
    context.close()


@pytest.fixture
def phone(chromium_browser, live_server, csp_violations, layout_problems):  # type: ignore[no-untyped-def]
    """A customer's own phone (390×844, touch, mobile layout) on the public pages."""
    context, phone = _new_page(
        chromium_browser,
        csp_violations,
        layout_problems,
        viewport=PHONE,
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
    )
    yield phone
    context.close()
