"""Raw ``COPY`` of order lines, the yardstick the API and import benchmarks are measured against."""

import io
import time

from django.db import connection, transaction

from catalog.models import Product
from sales.models import Order, OrderLine

_FIRST_NUMBER = 20_000


def raw_copy(lines: int) -> float:
    """COPY the same number of order lines into sales_orderline (for orders that exist) and commit,
    the seconds it took; then delete them again.

    The commit is timed too: the table's foreign keys are checked when the transaction commits (they
    are deferred, as Django makes them), and a COPY that is rolled back skips that, which no
    real load can.
    """
    order_ids = list(Order.objects.values_list("pk", flat=True)[:lines])
    product_id = Product.objects.values_list("pk", flat=True).first()
    buffer = io.StringIO()
    for n in range(lines):
        order_id, number = order_ids[n % len(order_ids)], _FIRST_NUMBER + n // len(order_ids)
        buffer.write(f"{order_id}\t{number}\t{product_id}\t\\N\t1\t25.00\t25.00\n")
    payload = buffer.getvalue().encode()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = "order_id, line_number, product_id, variant_id, quantity, unit_price, amount"
        with cursor.cursor.copy(f"COPY sales_orderline ({columns}) FROM STDIN") as copy:
            copy.write(payload)
    elapsed = time.perf_counter() - started
    OrderLine.objects.filter(line_number__gte=_FIRST_NUMBER).delete()
    return elapsed
