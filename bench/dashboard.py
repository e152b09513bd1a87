"""The store dashboard's figures at several sizes of demo data.

    timeout -k 60 60m .venv/bin/python bench/dashboard.py                  # 100,000 and 1,000,000
    .venv/bin/python bench/dashboard.py --customers 10000

For each ``--customers`` size, a scratch database ``bench_dashboard`` (bench/_scratch.py) is seeded
with the demo generator; then ``managers.figures.figures`` is timed for the busiest store and for
the whole chain, over the last 30 days and the last 365 days (best of three, warm cache), with the
number of queries. The demo has no card feedback, so the benchmark adds some: three products shown
to a fifth of the customers who bought, a tenth of them liked. Not a test: pytest does not collect it.
"""

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from _scratch import exit_cleanly_on_sigterm, scratch_database  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.generate import seed  # noqa: E402
from managers.figures import Period, figures  # noqa: E402
from sales.models import Order  # noqa: E402
from stores.models import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    print(
        "| demo customers | stores | period | figures | queries | identified buyers | pairs shown "
        "| after outreach |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for size in args.customers:
        with scratch_database("bench_dashboard"):
            today = timezone.localdate()
            seed(customers=size, seed=7, today=today)
            with connection.cursor() as cursor:
                # The demo has no card feedback yet: show three products to a fifth of the customers who
                # bought, at a time in the last year, in the store of one of their orders; a tenth liked.
                cursor.execute(
                    """WITH products AS (SELECT array_agg(id) AS ids FROM catalog_product)
                       INSERT INTO suggestions_feedback
                           (customer_id, product_id, kind, list, reason, model_version, store_id, at)
                       SELECT o.customer_id, p.ids[1 + floor(random() * cardinality(p.ids))::int], k.kind,
                              '', '', '', o.store_id, now() - (random() * interval '365 days')
                       FROM (SELECT DISTINCT ON (customer_id) customer_id, store_id FROM sales_order
                             WHERE customer_id IS NOT NULL AND store_id IS NOT NULL AND random() < 0.2
                             ORDER BY customer_id) o
                       CROSS JOIN products p
                       CROSS JOIN generate_series(1, 3) n
                       CROSS JOIN LATERAL (SELECT 'shown' AS kind UNION ALL
                                           SELECT 'liked' WHERE random() < 0.1 + n * 0) k"""
                )
                cursor.execute("ANALYZE")
            busiest = (
                Order.objects.filter(store__isnull=False)
                .values("store")
                .annotate(n=Count("pk"))
                .order_by("-n")[0]
            )["store"]
            chain = list(Store.objects.values_list("pk", flat=True))
            end = datetime.combine(
                today + timedelta(days=1), clock.min, tzinfo=timezone.get_current_timezone()
            )
            for label, stores in (("busiest", [busiest]), (f"all {len(chain)}", chain)):
                for days in (30, 365):
                    period = Period(start=end - timedelta(days=days), end=end, window_days=14)
                    best = float("inf")
                    for _ in range(3):
                        with CaptureQueriesContext(connection) as queries:
                            started = time.perf_counter()
                            result = figures(stores, period)
                            best = min(best, time.perf_counter() - started)
                    print(
                        f"| {size:,} | {label} | {days} days | {best * 1000:,.0f} ms "
                        f"| {len(queries.captured_queries)} | {result.visitors:,} | {result.shown:,} "
                        f"| {result.outreach_orders:,} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
