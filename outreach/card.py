"""The card's outreach panels in one statement: her coming appointments (with the products to
prepare), her latest looks, her wishlist, the messages waiting to go and her conversation with the
store (``outreach.thread``), for a customer already obtained through a scoped selector.

Each part is a JSON array built in a subquery of one ``SELECT``, so the panels cost one round trip
whatever she has (they used to cost four, five with appointments, plus one for each waiting
message's store). The rows come back as unsaved model instances carrying only what the card shows;
times and amounts travel as text. Sensitive products are left out here as everywhere staff look.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from accounts.rows import staff_from
from catalog.models import Brand, Product
from common import prepared
from customers.models import Customer
from outreach import thread as threads
from outreach.models import Appointment, Look, Message, WishlistItem
from stores.models import Store


@dataclass
class CardOutreach:
    appointments: list[Appointment] = field(default_factory=list)
    looks: list[Look] = field(default_factory=list)
    wishlist: list[WishlistItem] = field(default_factory=list)
    waiting: list[Message] = field(default_factory=list)  # queued for later, or between retries
    # Her conversation with the store the associate is in (``outreach.thread``).
    thread: threads.Thread = field(default_factory=lambda: threads.Thread(entries=[]))


_PANELS = """
SELECT
  -- the next 5 appointments, the latest 5 looks, the latest 20 wishes, every message waiting
  (SELECT jsonb_agg(a ORDER BY a.starts_at, a.id) FROM (
     SELECT ap.id, ap.public_id, ap.store_id, s.name AS store_name, s.timezone AS store_timezone,
            ap.starts_at::text AS starts_at, ap.purpose,
            u.id AS associate_id, u.username AS associate_username,
            u.first_name AS associate_first, u.last_name AS associate_last,
            (SELECT coalesce(jsonb_agg(p.name ORDER BY p.name, p.id), '[]')
               FROM outreach_appointment_products ap_p
               JOIN catalog_product p ON p.id = ap_p.product_id
               JOIN catalog_category c ON c.id = p.category_id
              WHERE ap_p.appointment_id = ap.id AND NOT c.is_sensitive) AS products
       FROM outreach_appointment ap
       JOIN stores_store s ON s.id = ap.store_id
       JOIN accounts_user u ON u.id = ap.associate_id
      WHERE ap.customer_id = %(customer)s AND ap.status = %(booked)s AND ap.ends_at >= now()
      ORDER BY ap.starts_at, ap.id
      LIMIT 5) a) AS appointments,
  (SELECT jsonb_agg(l ORDER BY l.created_at DESC, l.id DESC) FROM (
     SELECT lk.id, lk.public_id, lk.title, lk.created_at::text AS created_at,
            lk.revoked_at::text AS revoked_at, lk.first_opened_at::text AS first_opened_at,
            (SELECT count(*) FROM outreach_lookitem i WHERE i.look_id = lk.id) AS item_count,
            (SELECT count(*) FROM outreach_lookitem i
              WHERE i.look_id = lk.id AND i.liked_at IS NOT NULL) AS liked_count
       FROM outreach_look lk
      WHERE lk.customer_id = %(customer)s
      ORDER BY lk.created_at DESC, lk.id DESC
      LIMIT 5) l) AS looks,
  (SELECT jsonb_agg(w ORDER BY w.created_at DESC, w.id DESC) FROM (
     SELECT wi.id, wi.size, wi.added_via, wi.created_at::text AS created_at,
            p.id AS product_id, p.name AS product_name, p.image_url AS product_image,
            b.id AS brand_id, b.name AS brand_name, u.id AS added_by_id, u.username AS added_by_username,
            u.first_name AS added_by_first, u.last_name AS added_by_last
       FROM outreach_wishlistitem wi
       JOIN catalog_product p ON p.id = wi.product_id
       JOIN catalog_category c ON c.id = p.category_id
       LEFT JOIN catalog_brand b ON b.id = p.brand_id
       LEFT JOIN accounts_user u ON u.id = wi.added_by_id
      WHERE wi.customer_id = %(customer)s AND NOT c.is_sensitive
      ORDER BY wi.created_at DESC, wi.id DESC
      LIMIT 20) w) AS wishlist,
  (SELECT jsonb_agg(m ORDER BY m.send_after, m.id) FROM (
     SELECT msg.id, msg.public_id, msg.channel, msg.status, msg.send_after::text AS send_after,
            msg.store_id, s.name AS store_name, s.timezone AS store_timezone,
            u.id AS sent_by_id, u.username AS sent_by_username,
            u.first_name AS sent_by_first, u.last_name AS sent_by_last
       FROM outreach_message msg
       LEFT JOIN stores_store s ON s.id = msg.store_id
       LEFT JOIN accounts_user u ON u.id = msg.sent_by_id
      WHERE msg.customer_id = %(customer)s AND msg.status IN (%(queued)s, %(retrying)s)) m) AS waiting,
"""
_STATEMENT = _PANELS + threads.SQL  # the thread's columns: a constant too; every value is a parameter


def card_outreach(customer: Customer, store: Store | None = None) -> CardOutreach:
    """One query whatever she has; her thread with ``store`` (none without one)."""
    params = {
        "customer": customer.pk,
        "booked": Appointment.Status.BOOKED.value,
        "queued": Message.Status.QUEUED.value,
        "retrying": Message.Status.RETRYING.value,
        **threads.params(store.pk if store else None),
    }
    *panels, last_whatsapp = prepared.fetch_one(_STATEMENT, params)
    appointments, looks, wishlist, waiting, thread_rows = (prepared.json_rows(v) for v in panels)
    return CardOutreach(
        appointments=[_appointment(row, customer) for row in appointments],
        looks=[_look(row, customer) for row in looks],
        wishlist=[_wish(row, customer) for row in wishlist],
        waiting=[_waiting(row, customer) for row in waiting],
        thread=threads.thread_from(thread_rows, last_whatsapp),
    )


def _store(row: dict[str, Any]) -> Store | None:
    if row["store_id"] is None:
        return None
    return Store(id=row["store_id"], name=row["store_name"], timezone=row["store_timezone"])


def _appointment(row: dict[str, Any], customer: Customer) -> Appointment:
    appointment = Appointment(
        id=row["id"],
        public_id=UUID(row["public_id"]),
        customer=customer,
        store=_store(row),
        associate=staff_from(row, "associate"),
        starts_at=datetime.fromisoformat(row["starts_at"]),
        purpose=row["purpose"],
    )
    appointment.products_to_prepare = row["products"]  # type: ignore[attr-defined]
    return appointment


def _look(row: dict[str, Any], customer: Customer) -> Look:
    look = Look(
        id=row["id"],
        public_id=UUID(row["public_id"]),
        customer=customer,
        title=row["title"],
        created_at=datetime.fromisoformat(row["created_at"]),
        revoked_at=prepared.moment(row["revoked_at"]),
        first_opened_at=prepared.moment(row["first_opened_at"]),
    )
    look.item_count = row["item_count"]  # type: ignore[attr-defined]
    look.liked_count = row["liked_count"]  # type: ignore[attr-defined]
    return look


def _wish(row: dict[str, Any], customer: Customer) -> WishlistItem:
    brand = Brand(id=row["brand_id"], name=row["brand_name"]) if row["brand_id"] is not None else None
    return WishlistItem(
        id=row["id"],
        customer=customer,
        product=Product(
            id=row["product_id"], name=row["product_name"], image_url=row["product_image"], brand=brand
        ),
        size=row["size"],
        added_via=row["added_via"],
        added_by=staff_from(row, "added_by"),
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def _waiting(row: dict[str, Any], customer: Customer) -> Message:
    return Message(
        id=row["id"],
        public_id=UUID(row["public_id"]),
        customer=customer,
        store=_store(row),
        sent_by=staff_from(row, "sent_by"),
        channel=row["channel"],
        status=row["status"],
        send_after=datetime.fromisoformat(row["send_after"]),
    )
