"""What the browser tests share: signing in, and an accessibility check with axe-core."""

from pathlib import Path

from playwright.sync_api import Page

PASSWORD = "correct horse battery staple"  # every factory-made user's
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def assert_accessible(page: Page) -> None:
    """axe-core (WCAG 2.2 AA rules): no serious or critical violations on the page as it stands."""
    # Evaluated through the browser's devtools protocol, which the page's CSP does not govern (a
    # script tag would be refused: the CSP allows no inline script).
    page.evaluate(AXE.read_text() + "\n;undefined")
    tags = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def sign_in(page: Page, username: str) -> None:
    """Sign in with the password form, as ``username``."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
