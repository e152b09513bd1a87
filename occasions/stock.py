"""Back in stock in her size: made when a stock update takes a product from none to some at a store.

"Back" is a change, not a state, so no nightly rule makes it: the integration API notes a variant that
went from nothing on hand to some (``integrations.catalogue``) and a Celery task (through the outbox)
runs ``back_in_stock`` within moments. It is for the customers of that store (her home store, or one
she has a relationship with) who keep the product on their wishlist in that size (or in no size), or
liked it among her suggestions; under the rules' gate, with her consent to suggestions too; never a
sensitive or discontinued product; once per customer, product and day, however many of its sizes
came back.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from occasions.models import Kind, OccasionRule
from occasions.rules import GATE, SUGGESTIONS_GATE

_THEM = "(SELECT product_id FROM catalog_productvariant WHERE id = ANY(%(variants)s))"
_BACK_IN_STOCK = f"""
INSERT INTO occasions_occasion (customer_id, store_id, kind, key, owner_id, due_on, expires_on, status,
                                product_id, detail, template_id, outcome, dismissal, created_at)
SELECT x.customer_id, %(store)s, 'back_in_stock', 'product:' || x.product_id || ':' || %(today)s::date,
       (SELECT r.assigned_associate_id FROM customers_storerelationship r
         WHERE r.customer_id = x.customer_id AND r.store_id = %(store)s),
       %(today)s::date, %(today)s::date + %(expires_after_days)s, 'open', x.product_id,
       jsonb_build_object('size', x.size), %(template)s, '', '', %(now)s
  FROM (SELECT DISTINCT ON (c.id, v.product_id) c.id AS customer_id, v.product_id, v.size
          FROM catalog_productvariant v
          JOIN catalog_product p ON p.id = v.product_id AND p.is_active
          JOIN catalog_category cat ON cat.id = p.category_id AND NOT cat.is_sensitive
          JOIN (SELECT w.customer_id, w.product_id, w.size FROM outreach_wishlistitem w
                 WHERE w.product_id IN {_THEM}
                UNION ALL
                SELECT f.customer_id, f.product_id, '' FROM suggestions_feedback f
                 WHERE f.kind = 'liked'
                   AND f.product_id IN {_THEM}
               ) wanted
            ON wanted.product_id = v.product_id
           AND (wanted.size = '' OR v.size = '' OR lower(wanted.size) = lower(v.size))
          JOIN customers_customer c ON c.id = wanted.customer_id
         WHERE v.id = ANY(%(variants)s)
           AND (c.home_store_id = %(store)s
                OR EXISTS (SELECT 1 FROM customers_storerelationship r
                            WHERE r.customer_id = c.id AND r.store_id = %(store)s))
           AND {GATE} AND {SUGGESTIONS_GATE}
         ORDER BY c.id, v.product_id, wanted.size DESC) x
ON CONFLICT (customer_id, kind, key) DO NOTHING"""  # noqa: S608 - fixed text only


@transaction.atomic
def back_in_stock(store_id: int, variant_ids: list[int], *, now: datetime | None = None) -> int:
    """The occasions these variants coming back at the store make; how many were made."""
    rule = OccasionRule.objects.filter(kind=Kind.BACK_IN_STOCK, is_active=True).first()
    if rule is None or not variant_ids:
        return 0
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _BACK_IN_STOCK,
            {
                "store": store_id,
                "variants": list(variant_ids),
                "today": timezone.localdate(now),
                "now": now,
                "expires_after_days": rule.expires_after_days,
                "template": rule.template_id,
            },
        )
        return cursor.rowcount
