"""Screenshots of issue 26's screens on a served demo: My day's *Whom to contact, and why*, a campaign
drafted from an uploaded list (its report by line, whom it reaches), and the dashboard's occasions
and campaigns.

The demo must be served with its occasions made (``make demo`` does it: ``manage.py make_occasions``),
as for ``scripts/screenshots.py``, whose helpers this uses::

    .venv/bin/python scripts/occasion_screenshots.py --base-url http://127.0.0.1:8013 --out docs/screenshots

It writes ``occasions-my-day.png``, ``campaign-list.png`` and ``dashboard-occasions.png`` (the
tablet's 1024×768 landscape). The list is made of the client numbers of the first clients on the
manager's client book, with three rows it cannot use (not a number, a number nobody has, one
repeated); the campaign is launched, so the dashboard and My day have it. Each run adds a campaign
to the demo.
"""

import argparse
import sys
import uuid
from pathlib import Path

from playwright.sync_api import Browser, FilePayload, Page, sync_playwright
from screenshots import (
    CARD_PATH,
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    linked_paths,
    settle,
    sign_in,
    tablet_page,
)
from screenshots import shoot as shoot_page

LISTED = 24


def shoot(page: Page, path: Path, *, anchor: str | None = None, height: int | None = None) -> None:
    """The viewport, scrolled to ``anchor`` (a selector) first; or the page's top ``height`` px."""
    if anchor:
        settle(page)
        page.locator(anchor).first.evaluate(
            "(el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY"
            " - document.querySelector('header').getBoundingClientRect().height - 8)"
        )
    shoot_page(page, path, height=height)


def my_day(browser: Browser, base_url: str, out: Path, associate: str) -> None:
    with tablet_page(browser, base_url) as page:
        sign_in(page, associate, DEMO_PASSWORD)
        page.goto("/")
        shoot(page, out / "occasions-my-day.png", anchor="#occasions")


def campaign_and_dashboard(browser: Browser, base_url: str, out: Path, manager: str) -> None:
    with tablet_page(browser, base_url) as page:
        sign_in(page, manager, DEMO_PASSWORD)
        page.goto("/books/")
        numbers = [path.split("/")[2] for path in linked_paths(page, CARD_PATH)][:LISTED]
        if len(numbers) < 3:
            raise SystemExit(f"{manager}'s client book links to fewer than 3 cards: is the demo seeded?")
        rows = ["client_number", *numbers[:5], "not-a-number", *numbers[5:], str(uuid.uuid4()), numbers[0]]
        page.goto("/campaigns/new/")
        page.locator("input[name=name]").fill("Winter coats: private preview")
        page.locator("input[name=stores]").first.check()
        page.locator("select[name=template]").select_option(label="New arrivals (en)")
        page.locator("select[name=id_kind]").select_option("public")
        page.locator("input[name=client_list]").set_input_files(
            files=FilePayload(name="preview.csv", mimeType="text/csv", buffer="\n".join(rows).encode())
        )
        with page.expect_navigation():
            page.locator("form.stack button[type=submit]").click()
        shoot(page, out / "campaign-list.png", height=1100)
        with page.expect_navigation():
            page.locator("form[action$='/launch/'] button").click()
        page.goto("/dashboard/")
        shoot(page, out / "dashboard-occasions.png", anchor="#occasions-heading")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", required=True, help="where the demo is served")
    parser.add_argument("--out", required=True, type=Path, help="the folder the PNGs are written to")
    parser.add_argument("--associate", default="associate.london.1")
    parser.add_argument("--manager", default="manager.london")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    base_url = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            campaign_and_dashboard(browser, base_url, args.out, args.manager)
            my_day(browser, base_url, args.out, args.associate)  # the campaign's on it too
        finally:
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
