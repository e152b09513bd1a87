"""What became of the occasions, for the managers' dashboard: per associate, and per campaign.

- **due vs done, per associate**: the stores' occasions whose due day falls in the period, by owner
  (the store's queue is an owner of its own), and what became of them as of now: done (a message, a
  call, or marked done), dismissed, expired unanswered, or still to do. An occasion is counted for
  whom it was given to, whoever closed it. Counts only.
- **campaign results**: the campaigns running on a day of the period in one of the stores (at most
  ``CAMPAIGNS_SHOWN``, newest first), each with its clients at those stores, how many were contacted
  (done), dismissed and still to do, and the orders they placed (any channel) within the attribution
  window after being contacted, each order counted once per campaign, with what they came to (the
  campaign page's figure, ``attributed_sales``, restricted to the stores).

Each is one query over the stores and the period, whatever the number of occasions, read from the
replica when one is configured. And for one campaign's page: its progress per store and associate,
and the sales it brought.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from accounts.models import User
from common.replica import heavy_read, read_connection
from occasions.models import Campaign, Occasion
from stores.models import Store

CAMPAIGNS_SHOWN = 10


@dataclass(frozen=True)
class OwnerOccasions:
    owner_id: int | None  # None: the store's queue
    name: str  # her full name, else her username; "" for the queue
    due: int
    done: int
    dismissed: int
    expired: int
    open: int

    @property
    def done_share(self) -> float | None:
        return self.done / self.due if self.due else None


@dataclass(frozen=True)
class CampaignResult:
    campaign_id: int
    name: str
    status: str
    starts_on: date
    ends_on: date
    clients: int
    done: int
    dismissed: int
    open: int
    orders: int
    sales: Decimal
    yours: bool  # every store of it is one of the viewer's (its page is hers to open)


_BY_OWNER = """
SELECT c.owner_id, coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username, ''),
       c.due, c.done, c.dismissed, c.expired, c.open
  FROM (SELECT o.owner_id, count(*) AS due, count(*) FILTER (WHERE o.status = 'done') AS done,
               count(*) FILTER (WHERE o.status = 'dismissed') AS dismissed,
               count(*) FILTER (WHERE o.status = 'expired') AS expired,
               count(*) FILTER (WHERE o.status = 'open') AS open
          FROM occasions_occasion o
         WHERE o.store_id = ANY(%(stores)s) AND o.due_on >= %(first)s AND o.due_on <= %(last)s
         GROUP BY o.owner_id) c
  LEFT JOIN accounts_user u ON u.id = c.owner_id
 ORDER BY c.owner_id IS NULL, c.due DESC, 2
"""


@heavy_read
def due_and_done(store_ids: list[int], first: date, last: date) -> list[OwnerOccasions]:
    """Per owner, the occasions due from ``first`` to ``last`` (days, inclusive): most due first, the
    queue last."""
    with read_connection().cursor() as cursor:
        cursor.execute(_BY_OWNER, {"stores": store_ids, "first": first, "last": last})
        return [OwnerOccasions(*row) for row in cursor.fetchall()]


# The orders (any channel) a campaign's clients placed within the window after being contacted (their
# occasion done), each counted once per campaign: from the done occasions, down the orders' index.
_SOLD = """
SELECT DISTINCT o.campaign_id, s.id, s.total_amount
  FROM occasions_occasion o
  JOIN sales_order s ON s.customer_id = o.customer_id
       AND s.placed_at >= o.closed_at AND s.placed_at <= o.closed_at + %(window)s
 WHERE o.status = 'done' AND o.campaign_id IN ({campaigns}) {stores}"""

_CAMPAIGNS = f"""
WITH chosen AS (
  SELECT c.id, c.name, c.status, c.starts_on, c.ends_on FROM occasions_campaign c
   WHERE c.status <> 'draft' AND c.starts_on <= %(last)s AND c.ends_on >= %(first)s
     AND EXISTS (SELECT 1 FROM occasions_campaign_stores s
                  WHERE s.campaign_id = c.id AND s.store_id = ANY(%(stores)s))
   ORDER BY c.starts_on DESC, c.id DESC LIMIT %(shown)s),
counted AS (
  SELECT o.campaign_id, count(*) AS clients, count(*) FILTER (WHERE o.status = 'done') AS done,
         count(*) FILTER (WHERE o.status = 'dismissed') AS dismissed,
         count(*) FILTER (WHERE o.status = 'open') AS open
    FROM occasions_occasion o
   WHERE o.campaign_id IN (SELECT id FROM chosen) AND o.store_id = ANY(%(stores)s)
   GROUP BY o.campaign_id),
sold AS (
  SELECT a.campaign_id, count(*) AS orders, sum(a.total_amount) AS amount
    FROM ({_SOLD.format(campaigns="SELECT id FROM chosen", stores="AND o.store_id = ANY(%(stores)s)")}) a
   GROUP BY a.campaign_id)
SELECT c.id, c.name, c.status, c.starts_on, c.ends_on, coalesce(n.clients, 0), coalesce(n.done, 0),
       coalesce(n.dismissed, 0), coalesce(n.open, 0), coalesce(s.orders, 0), coalesce(s.amount, 0),
       %(all)s OR NOT EXISTS (SELECT 1 FROM occasions_campaign_stores s
                              WHERE s.campaign_id = c.id AND s.store_id <> ALL(%(hers)s))
  FROM chosen c LEFT JOIN counted n ON n.campaign_id = c.id LEFT JOIN sold s ON s.campaign_id = c.id
 ORDER BY c.starts_on DESC, c.id DESC
"""  # noqa: S608 (fixed text: only this module's fragment is formatted in)


@heavy_read
def campaign_results(
    store_ids: list[int], first: date, last: date, *, window_days: int, hers: list[int] | None
) -> list[CampaignResult]:
    """The campaigns running in the stores on a day from ``first`` to ``last`` and what they brought;
    ``hers``: the viewer's stores (None: all of them, an administrator's)."""
    params: dict[str, Any] = {
        "stores": store_ids,
        "first": first,
        "last": last,
        "shown": CAMPAIGNS_SHOWN,
        "window": timedelta(days=window_days),
        "all": hers is None,
        "hers": hers or [],
    }
    with read_connection().cursor() as cursor:
        cursor.execute(_CAMPAIGNS, params)
        return [CampaignResult(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Progress:
    store: Store
    owner: User | None
    total: int
    done: int
    open: int
    dismissed: int


def progress(campaign: Campaign) -> list[Progress]:
    """Per store and associate: how many occasions, done, still open, dismissed. One query."""
    counted = (
        Occasion.objects.filter(campaign=campaign)
        .values("store", "owner")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Occasion.Status.DONE)),
            open=Count("pk", filter=Q(status=Occasion.Status.OPEN)),
            dismissed=Count("pk", filter=Q(status=Occasion.Status.DISMISSED)),
        )
        .order_by("store", "owner")
    )
    rows = list(counted)
    stores = Store.objects.in_bulk({r["store"] for r in rows})
    owners = User.objects.in_bulk({r["owner"] for r in rows if r["owner"]})
    return [
        Progress(stores[r["store"]], owners.get(r["owner"]), r["total"], r["done"], r["open"], r["dismissed"])
        for r in rows
    ]


_ONE_CAMPAIGN_SOLD = f"""
SELECT count(*), coalesce(sum(a.total_amount), 0)
  FROM ({_SOLD.format(campaigns="%(campaign)s", stores="")}) a"""  # noqa: S608 (fixed text)


def attributed_sales(campaign: Campaign, *, days: int) -> tuple[int, Decimal]:
    """Orders its clients placed within ``days`` after their occasion was done (a message sent, a
    call), and their total: the dashboard's attribution window, for the campaign (every store)."""
    with connection.cursor() as cursor:
        params: dict[str, Any] = {"campaign": campaign.pk, "window": timedelta(days=days)}
        cursor.execute(_ONE_CAMPAIGN_SOLD, params)
        orders, amount = cursor.fetchone()
    return orders, amount
