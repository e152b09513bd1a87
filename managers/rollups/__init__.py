"""The store dashboard's figures rolled up per store and local calendar day (issue 22).

Each figure is defined so that it adds up exactly by (store, day): a period's figure is the sum of
its days, a chain's the sum of its stores. A store's day is its own calendar day, in its time zone
(``Store.timezone``): from local midnight to the next, daylight-saving changes included. "In the
store" means the row's ``store_id``; the attribution window is ``settings.ATTRIBUTION_DAYS``.

Additive, per store and day (``StoreDay``, rebuilt by ``rebuild``):

- **visits**: the customers with at least one order in the store that day (an order with a customer;
  one visit per customer, store and day); **of which consenting**: those whose latest "profile"
  consent decision (her own ledger) before the end of that day was a grant. Opt-in rate = consenting
  visits / visits. (The live figure counted each buyer once per period; here a customer who buys on
  three days is three visits.)
- **opt-ins**: the customers who granted "profile" that day through the store (the consent event's
  store, or its collection point's store), each counted once per store and day; erased customers are
  left out, as everywhere else after an erasure.
- **suggestions**: *shown*: the (customer, product) pairs shown on her card in the store for the
  first time ever in that store on that day, so a period's sum is the pairs first shown in it (the
  live figure counted the pairs shown in the period, however long ago first shown); *liked*: the
  pairs liked in the store for the first time ever that day; *bought*: of the pairs first shown
  that day, those she bought (an order line of that product, any channel) after being first shown
  it and within the attribution window, and *suggestion sales*, what those lines came to. Bought
  changes for the window's days after the day: the nightly pass rebuilds the last window + 1 days.
- **outreach orders**: the orders (any channel) placed that day, by the store's clock, within the
  attribution window after a call or message from the store to her, each order counted once per
  store, and *outreach sales*, their total. (The live figure attributed orders to the outreach in
  the period, wherever they fell; here an order counts on the day it was placed.)

Additive, per store, day and associate (``AssociateDay``, rebuilt by ``rebuild``): *outreach*, the
calls and messages she recorded for the store that day; *follow-ups done*, those she completed.

Snapshots, per store as at the end of a day (``StoreSnapshot``, taken by ``snapshot``, nightly for
yesterday; a period shows the snapshot of its last day, or the latest one before it, so last
night's for today): the store's *customers* (home store, or any store relationship; not merged, not
erased), *active consents* per purpose among them (her latest decision before the end of the day,
from her ledger and those of the profiles merged into her, is a grant), its *private clients*,
those *with an owner*, and those *contacted* by the store (a call, message or visit) on one of the
60 days ending with that day. Chain figures are sums over stores: a customer of two stores counts
in each. Who is a store's customer, her tier and owner are read as they are when the snapshot is
taken (no history is kept of them); consents and contacts as they were at the end of the day.

The dashboard (``dashboard``) reads each store's days before its own today from these tables and
computes its today live, with the same SQL as ``rebuild`` (its rows as a SELECT, not written).
"""

from managers.rollups.build import nightly, rebuild, snapshot, today
from managers.rollups.read import Dashboard, LiveDay, Week, dashboard, figures_from_rollups, weekly

__all__ = [
    "Dashboard",
    "LiveDay",
    "Week",
    "dashboard",
    "figures_from_rollups",
    "nightly",
    "rebuild",
    "snapshot",
    "today",
    "weekly",
]
