"""Screenshots of four screens of a served demo: the customer card, My day, the manager's dashboard
and the receipt a customer gets on her phone after opting in.

The app must already be served with demo data (``make demo``, or by hand: ``manage.py migrate``,
``manage.py seed_demo --if-empty --customers 2000``, ``manage.py refresh_suggestions --if-missing``,
then ``manage.py rollup_dashboard --since <a year ago>`` for the dashboard's past days, and
``manage.py runserver``), with its e-mails written to files so that this script can read the
one-time code the customer is sent while she opts in (docs/screenshots/README.md has every step)::

    EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=var/mail \\
    PUBLIC_BASE_URL=http://127.0.0.1:8011 .venv/bin/python manage.py runserver 127.0.0.1:8011 --noreload

then, from the source checkout, with the project's virtualenv (Playwright, and Debian's Chromium)::

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8011 \\
        --out docs/screenshots --prefix after --mail-dir var/mail

It writes ``<prefix>-card.png``, ``<prefix>-my-day.png``, ``<prefix>-manager.png`` (the tablet's
1024×768 landscape) and ``<prefix>-receipt.png`` (a 390×844 phone). Pages are reached by URL and
forms by their fields' names, so the script works across versions of the templates. Each run opts in
one new customer (an address of her own, so the code limits per address never stop a rerun) and
records card views in the audit trail, as an associate's would.
"""

import argparse
import email
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, FloatRect, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = ViewportSize(width=1024, height=768)
PHONE = ViewportSize(width=390, height=844)
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password (manage.py demo_logins)
MAX_BYTES = 400_000  # what a screenshot may weigh in the repository
# The card is five screens tall or more; its top 2,048 px hold her header, follow-ups, appointments,
# sizes, loves, dates and the first suggestions on the left, and the first of her history on the right.
CARD_HEIGHT = 2048
CARD_PATH = re.compile(r"^/customers/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/$")
POSTER_PATH = re.compile(r"^/posters/\d+/$")
# A card section with nothing in it says so ("No sizes yet.", "Nothing on her wishlist yet.").
_CARD_RICHNESS = """
() => {
  const main = document.querySelector("main") || document.body;
  const empty = [...main.querySelectorAll("p, li, dd, span")].filter((el) =>
    /^(No |Nothing ).*yet\\.$/.test(el.textContent.trim())
  ).length;
  return { empty, items: main.querySelectorAll("li").length };
}
"""


@dataclass(frozen=True)
class Options:
    base_url: str
    out: Path
    prefix: str
    mail_dir: Path
    associate: str
    manager: str
    password: str
    customer: str | None
    phone_scale: int
    candidates: int


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-url", required=True, help="where the demo is served, e.g. http://127.0.0.1:8011"
    )
    parser.add_argument("--out", required=True, type=Path, help="the folder the PNGs are written to")
    parser.add_argument("--prefix", required=True, help="the files' prefix, e.g. before or after")
    parser.add_argument(
        "--mail-dir",
        required=True,
        type=Path,
        help="the server's EMAIL_FILE_PATH (filebased e-mail backend): where the one-time code is read",
    )
    parser.add_argument("--associate", default="associate.london.1", help="the associate (a demo login)")
    parser.add_argument("--manager", default="manager.london", help="the store manager (a demo login)")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo logins' password")
    parser.add_argument(
        "--customer",
        default=None,
        help="the public id of the customer whose card to show (default: the richest of My day's)",
    )
    parser.add_argument(
        "--phone-scale", type=int, default=2, choices=(1, 2, 3), help="the phone's device pixel ratio"
    )
    parser.add_argument("--candidates", type=int, default=12, help="how many cards from My day to compare")
    args = parser.parse_args(argv)
    return Options(
        base_url=args.base_url.rstrip("/"),
        out=args.out,
        prefix=args.prefix,
        mail_dir=args.mail_dir,
        associate=args.associate,
        manager=args.manager,
        password=args.password,
        customer=args.customer,
        phone_scale=args.phone_scale,
        candidates=args.candidates,
    )


@contextmanager
def tablet_page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport=TABLET, base_url=base_url, has_touch=True, locale="en-GB", timezone_id="Europe/London"
    )
    try:
        yield _page(context)
    finally:
        context.close()


def _page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def settle(page: Page) -> None:
    """Everything loaded (pictures, styles, fonts), so the screenshot is the page as people see it."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready.then(() => true)")


def sign_in(page: Page, username: str, password: str) -> None:
    """The password form at /login/, as the browser tests sign in (tests/browser/helpers.py)."""
    page.goto("/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()
    if urlsplit(page.url).path.rstrip("/").endswith("/login"):
        raise SystemExit(f"Could not sign in as {username}: is the demo seeded (manage.py demo_logins)?")


def shoot(page: Page, path: Path, *, full_page: bool = False, height: int | None = None) -> None:
    """The viewport; or the whole page, or its top ``height`` pixels."""
    settle(page)
    clip: FloatRect | None = None
    if height is not None:
        full_page = True
        whole: int = page.evaluate("() => document.documentElement.scrollHeight")
        width = (page.viewport_size or TABLET)["width"]
        clip = FloatRect(x=0, y=0, width=width, height=min(height, whole))
    page.screenshot(path=str(path), full_page=full_page, clip=clip, animations="disabled", caret="hide")
    size = path.stat().st_size
    note = "" if size <= MAX_BYTES else f" (over {MAX_BYTES // 1000} KB)"
    print(f"{path}: {page.url} {size // 1000} KB{note}")


def linked_paths(page: Page, pattern: re.Pattern[str]) -> list[str]:
    """The paths matching ``pattern`` that the page links to, in the page's order, each once."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map((a) => a.getAttribute('href'))")
    paths = [urlsplit(href).path for href in hrefs]
    return list(dict.fromkeys(path for path in paths if pattern.match(path)))


def richest_card(page: Page, candidates: list[str]) -> str:
    """Of these cards, the one with the fewest empty sections, then the most in its lists."""
    best: tuple[int, int] | None = None
    chosen = ""
    for path in candidates:
        page.goto(path)
        found = page.evaluate(_CARD_RICHNESS)
        score = (-int(found["empty"]), int(found["items"]))
        if best is None or score > best:
            best, chosen = score, path
    if not chosen:
        raise SystemExit("My day links to no customer card: is the demo seeded?")
    return chosen


def associate_screens(browser: Browser, options: Options) -> None:
    with tablet_page(browser, options.base_url) as page:
        sign_in(page, options.associate, options.password)
        # My day first: opening cards adds them to her recently viewed.
        page.goto("/")
        shoot(page, options.out / f"{options.prefix}-my-day.png")
        if options.customer:
            card = f"/customers/{options.customer}/"
        else:
            card = richest_card(page, linked_paths(page, CARD_PATH)[: options.candidates])
        page.goto(card)
        shoot(page, options.out / f"{options.prefix}-card.png", height=CARD_HEIGHT)


def manager_screen(browser: Browser, options: Options) -> str:
    """The dashboard's screenshot; returns the path of the join page of one of the manager's posters."""
    with tablet_page(browser, options.base_url) as page:
        sign_in(page, options.manager, options.password)
        page.goto("/dashboard/")
        shoot(page, options.out / f"{options.prefix}-manager.png")
        # The poster's QR code opens the join page, which the poster page also links to.
        page.goto("/posters/")
        posters = linked_paths(page, POSTER_PATH)
        if not posters:
            raise SystemExit(f"{options.manager} has no poster to print at /posters/.")
        page.goto(posters[0])
        join = page.locator("a[href*='/join/']").first.get_attribute("href") or ""
        if "/join/" not in join:
            raise SystemExit(f"The poster at {posters[0]} links to no join page.")
        return urlsplit(join).path


def _messages(path: Path) -> list[Message]:
    """The messages in one file of Django's filebased backend (each followed by a line of dashes)."""
    chunks = re.split(rb"\r?\n-{79}\r?\n", path.read_bytes())
    return [email.message_from_bytes(chunk) for chunk in chunks if chunk.strip()]


def _text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else iter([message])
    texts = []
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def code_sent_to(mail_dir: Path, address: str, since: float, timeout: float = 20.0) -> str:
    """The 6-digit code last e-mailed to ``address`` (in a file written after ``since``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(
            (f for f in mail_dir.glob("*") if f.is_file() and f.stat().st_mtime >= since - 1),
            key=lambda f: f.stat().st_mtime,
        )
        for path in reversed(files):
            for message in reversed(_messages(path)):
                if address not in str(message.get("To", "")):
                    continue
                found = re.search(r"\b(\d{6})\b", _text(message))
                if found:
                    return found.group(1)
        time.sleep(0.5)
    raise SystemExit(
        f"No code e-mailed to {address} in {mail_dir}: serve the app with "
        "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend and EMAIL_FILE_PATH=<that folder>."
    )


def _submit(page: Page, form_selector: str) -> None:
    form = page.locator(form_selector).first
    with page.expect_navigation():
        form.locator("button[type=submit], button:not([type]), input[type=submit]").first.click()


def receipt_screen(browser: Browser, options: Options, join_path: str) -> None:
    """On her own phone: the poster's join page, her choices, the code she is sent, her receipt."""
    address = f"zoe.okafor.{int(time.time())}@example.com"
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=options.phone_scale,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_USER_AGENT,
        base_url=options.base_url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    try:
        page = _page(context)
        page.goto(join_path)
        # Her choices: her profile and e-mail (or, should they be named otherwise, the first two).
        boxes = page.locator("input[type=checkbox][name=purposes]")
        named = [page.locator(f"input[name=purposes][value={v}]") for v in ("profile", "contact_email")]
        if not all(box.count() == 1 for box in named):
            named = [boxes.nth(i) for i in range(min(boxes.count(), 2))]
        for box in named:
            box.check()
        page.locator("input[name=contact]").fill(address)
        page.locator("input[name=given_name]").fill("Zoë")
        page.locator("input[name=family_name]").fill("Okafor")
        sent_after = time.time()
        _submit(page, "form:has(input[name=contact])")
        code = code_sent_to(options.mail_dir, address, sent_after)
        page.locator("input[name=code]").fill(code)
        _submit(page, "form:has(input[name=code])")
        if not urlsplit(page.url).path.endswith("/join/done/"):
            raise SystemExit(f"Opting in ended at {page.url}, not at her receipt.")
        shoot(page, options.out / f"{options.prefix}-receipt.png", full_page=True)
    finally:
        context.close()


def main(argv: list[str]) -> None:
    options = parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            associate_screens(browser, options)
            join_path = manager_screen(browser, options)
            receipt_screen(browser, options, join_path)
        finally:
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
