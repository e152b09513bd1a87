"""Her replies coming in: the SMS webhook's throughput on one process, and what her thread costs the card,
at 10k and 100k demo customers.

    timeout -k 60 30m .venv/bin/python bench/inbound.py                   # 10000 100000
    .venv/bin/python bench/inbound.py --sizes 10000 --messages 500       # quick
    .venv/bin/python bench/inbound.py --sizes 100000 --db bench_inbound_{size} --keep

Each size runs in a scratch database of its own (bench/_scratch.py; ``--db NAME``: that one, seeded
only if it has no customers yet), seeded with ``demo.generate.seed`` and ``VACUUM ANALYZE``d.

The webhook: ``--messages`` signed ``POST /sms/replies/`` calls (one text each, as providers send
them), serially through ``django.test.Client`` in-process: the whole WSGI stack, the signature and
timestamp check, parsing, finding the sender's profile by phone, the note flagger, the audit event
and the writes, one transaction a call; no network. Of the texts, 85% come from customers' own
numbers (drawn from every store), 10% from numbers nobody has (a stranger's conversation, no profile
made) and 5% are a provider delivering a message again (kept once). Printed: messages a second (the
goal is 200 on one process), the median and 95th percentile of a call, the queries of a call (median
and most), and how many messages and conversations were kept.

The thread: the card of ``--cards`` customers of one store's associate, each with a thread of 20
of her texts, opened signed in as that associate; printed: the card's queries (the same at every
size and thread length is the goal) and its median time. Then her store's inbox (all open, hers, the
store's queue), the top bar's unread count, and the count with the notice of the newest message
since the last poll: queries and time of each. Not a test:
pytest does not collect it.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from _environment import describe  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from consent.selectors import customers_visible_to  # noqa: E402
from customers.models import Customer, CustomerIdentifier  # noqa: E402
from demo.generate import seed  # noqa: E402
from integrations.webhook_signing import signature  # noqa: E402
from outreach.models import Conversation, InboundMessage  # noqa: E402

SECRET = "bench-inbound-secret"  # noqa: S105 - a scratch database's webhook, on 127.0.0.1 only
ASSOCIATE = "associate.london.1"
TEXTS = (
    "Yes, can you keep it for Saturday?",
    "Thank you! I'll come by after work",
    "Do you have it in a 38?",
    "Lovely, see you on Thursday at 11",
    "Could you send me a picture of the blue one?",
    "Not this week, sorry",
)


def signed_post(
    client: Client, path: str, payload: dict[str, str], *, count_queries: bool = False
) -> tuple[int, float, int]:
    """Status, seconds and (when ``count_queries``: counting them costs time of its own) queries."""
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    headers = {"X-Timestamp": stamp, "X-Signature": signature(SECRET, stamp, body)}
    if not count_queries:
        started = time.perf_counter()
        response = client.post(path, body, content_type="application/json", headers=headers)
        return response.status_code, time.perf_counter() - started, 0
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body, content_type="application/json", headers=headers)
    return response.status_code, 0.0, len(queries.captured_queries)


def draw_texts(count: int, rng: random.Random) -> list[dict[str, str]]:
    """85% from customers' numbers, 10% from numbers nobody has, 5% sent again by the provider."""
    phones = list(
        CustomerIdentifier.objects.filter(
            kind=CustomerIdentifier.Kind.PHONE, customer__erased_at__isnull=True
        )
        .order_by("?")
        .values_list("value", flat=True)[: count * 2]
    )
    texts: list[dict[str, str]] = []
    for n in range(count):
        if texts and rng.random() < 0.05:
            texts.append(dict(rng.choice(texts)))
            continue
        sender = rng.choice(phones) if rng.random() < 0.85 / 0.95 else f"+4479{rng.randrange(10**8):08d}"
        texts.append({"id": f"SMbench{n:07d}", "from": sender, "text": rng.choice(TEXTS)})
    return texts


def bench_webhook(client: Client, texts: list[dict[str, str]]) -> dict[str, object]:
    for warm in texts[:20]:  # warm-up, not measured, on ids of their own
        signed_post(client, "/sms/replies/", {**warm, "id": warm["id"] + "w"})
    statuses: dict[int, int] = {}
    seconds: list[float] = []
    started = time.perf_counter()
    for text in texts:
        status, took, _ = signed_post(client, "/sms/replies/", text)
        statuses[status] = statuses.get(status, 0) + 1
        seconds.append(took)
    wall = time.perf_counter() - started
    # The queries of a call, counted apart on fresh texts: counting slows the calls it counts.
    queries = [
        signed_post(client, "/sms/replies/", {**text, "id": text["id"] + "q"}, count_queries=True)[2]
        for text in texts[:50]
    ]
    seconds.sort()
    return {
        "rate": len(texts) / wall,
        "median_ms": 1000 * statistics.median(seconds),
        "p95_ms": 1000 * seconds[int(0.95 * (len(seconds) - 1))],
        "queries": (statistics.median(queries), max(queries)),
        "statuses": statuses,
    }


def bench_thread(user: User, cards: int, rng: random.Random) -> dict[str, object]:
    """Give ``cards`` of her store's customers a thread of 20 (ten texts each way), then open them."""
    store = user.memberships.get().store
    people = list(customers_visible_to(user).filter(home_store=store).order_by("?")[:cards])
    phone_of = dict(
        CustomerIdentifier.objects.filter(
            customer__in=people, kind=CustomerIdentifier.Kind.PHONE
        ).values_list("customer_id", "value")
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for person in people:
        if person.pk in phone_of:
            for n in range(20):
                signed_post(
                    client,
                    "/sms/replies/",
                    {
                        "id": f"SMthread{person.pk}-{n}",
                        "from": phone_of[person.pk],
                        "text": rng.choice(TEXTS),
                    },
                )
    counts: list[int] = []
    seconds: list[float] = []
    for n, person in enumerate(people):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(reverse("tablet:card", args=[person.public_id]))
            took = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"the card of customer {person.pk} answered {response.status_code}")
        if n >= 3:  # the first few warm up
            counts.append(len(queries.captured_queries))
            seconds.append(took)
    inbox = [_timed_get(client, reverse("tablet:inbox"), {"show": show}) for show in ("all", "mine", "queue")]
    unread = _timed_get(client, reverse("tablet:inbox-unread"), {})
    # The poll that also draws the notice of the newest message since the last poll (an hour ago).
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    notice = _timed_get(client, reverse("tablet:inbox-unread"), {"since": since})
    return {
        "cards": len(counts),
        "with_thread": sum(person.pk in phone_of for person in people),
        "queries": (min(counts), max(counts)) if counts else (0, 0),
        "median_ms": 1000 * statistics.median(seconds) if seconds else 0.0,
        "inbox": inbox,
        "unread": unread,
        "notice": notice,
    }


def _timed_get(client: Client, path: str, query: dict[str, str]) -> tuple[int, float]:
    """Queries and milliseconds of a page, after one warm-up read of it."""
    client.get(path, query)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, query)
        took = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return len(queries.captured_queries), 1000 * took


def bench_one(size: int, args: argparse.Namespace) -> None:
    with scratch_database("bench_inbound", name=database_for(args.db, size), keep=args.keep):
        if not Customer.objects.exists():
            started = time.perf_counter()
            seed(customers=size, seed=args.seed, today=date(2026, 11, 23))
            print(f"  seeded {size:,} customers in {time.perf_counter() - started:.0f} s", flush=True)
        InboundMessage.objects.filter(provider_message_id__startswith="SM").delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        rng = random.Random(args.seed)
        texts = draw_texts(args.messages, rng)
        strangers_before = Conversation.objects.filter(customer__isnull=True).count()
        figures = bench_webhook(Client(HTTP_HOST="localhost"), texts)
        ids = set(
            InboundMessage.objects.filter(provider_message_id__in=[text["id"] for text in texts]).values_list(
                "provider_message_id", flat=True
            )
        )
        kept = len(ids)
        refused = [text for text in texts if text["id"] not in ids]
        strangers = Conversation.objects.filter(customer__isnull=True).count() - strangers_before
        queries = figures["queries"]
        print(
            f"| {size:,} | {len(texts):,} | {figures['rate']:.0f} | {figures['median_ms']:.1f} ms | "
            f"{figures['p95_ms']:.1f} ms | {queries[0]:.0f} / {queries[1]} | {kept:,} | {strangers:,} | "
            f"{figures['statuses']} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
        for text in refused[:3]:
            print(f"  not kept: {text}", flush=True)
        thread = bench_thread(User.objects.get(username=ASSOCIATE), args.cards, rng)
        print(
            f"  the card with a thread of 20: {thread['cards']} cards ({thread['with_thread']} with a "
            f"thread), queries (fewest, most) {thread['queries']}, median {thread['median_ms']:.1f} ms",
            flush=True,
        )
        views = ", ".join(
            f"{show} {count} queries {ms:.0f} ms"
            for show, (count, ms) in zip(("all open", "mine", "queue"), thread["inbox"], strict=True)  # type: ignore[call-overload]
        )
        unread_count, unread_ms = thread["unread"]  # type: ignore[misc]
        notice_count, notice_ms = thread["notice"]  # type: ignore[misc]
        print(
            f"  the inbox: {views}; the top bar's count {unread_count} queries {unread_ms:.0f} ms; "
            f"with the notice of a new message {notice_count} queries {notice_ms:.0f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--messages", type=int, default=2_000, help="signed texts sent at each size")
    parser.add_argument("--cards", type=int, default=23, help="cards opened with a thread (3 warm up)")
    parser.add_argument("--seed", type=int, default=42)
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.sizes)
    exit_cleanly_on_sigterm()
    setup_test_environment()  # the test client's response.context, as bench/api.py
    settings.SMS_INBOUND_SECRET = SECRET
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "localhost"]
    print(describe())
    print(
        "| demo customers | texts | messages/s (one process) | median | p95 | queries a call (median / most) "
        "| messages kept | strangers' conversations | answers | load average |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for size in args.sizes:
        bench_one(size, args)


if __name__ == "__main__":
    main()
