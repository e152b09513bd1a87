"""Outreach in the demo: the week's appointments, messages that went out, and wishlists.

Set-based SQL after the client book is written (it needs each top client's associate), and
deterministic: who and when follow from ids.
"""

from datetime import UTC, datetime

from django.db import connection

from demo.generate.common import Window

# (slot, local start, minutes): four a day per associate, none overlapping.
SLOTS = ((0, "10:00", 45), (1, "11:30", 60), (2, "14:30", 45), (3, "16:30", 30))
DAYS = 7  # today and the six days after


def write_outreach(window: Window) -> None:
    today = datetime.combine(window.today, datetime.min.time(), tzinfo=UTC)
    slot_rows = ", ".join(f"({n}, '{start}'::time, {minutes})" for n, start, minutes in SLOTS)
    with connection.cursor() as cursor:
        # Appointments: each associate's best clients who share their profile, one slot each, about
        # two in three slots filled. A customer is booked once; an associate never twice at a time.
        cursor.execute(
            f"""
            WITH owned AS (
                -- A client of two stores is booked once, in the store where she spends most.
                SELECT DISTINCT ON (r.customer_id)
                       r.store_id, r.assigned_associate_id AS associate_id, r.customer_id, r.spend_12m
                FROM customers_storerelationship r
                JOIN consent_consentstate c
                  ON c.customer_id = r.customer_id AND c.purpose_id = 'profile' AND c.granted
                WHERE r.assigned_associate_id IS NOT NULL
                ORDER BY r.customer_id, r.spend_12m DESC, r.store_id
            ), book AS (
                SELECT owned.*, ROW_NUMBER() OVER (PARTITION BY associate_id
                                                   ORDER BY spend_12m DESC, customer_id) - 1 AS n
                FROM owned
            ), slots(slot, starts, minutes) AS (VALUES {slot_rows})
            INSERT INTO outreach_appointment
                (public_id, customer_id, store_id, associate_id, starts_at, ends_at, purpose, note, status,
                 notify_by, cancel_reason, created_by_id, created_at, version)
            SELECT md5('appointment ' || b.customer_id)::uuid, b.customer_id, b.store_id, b.associate_id,
                   ((%(today)s::date + d.day) + s.starts) AT TIME ZONE st.timezone,
                   ((%(today)s::date + d.day) + s.starts) AT TIME ZONE st.timezone
                       + make_interval(mins => s.minutes),
                   (ARRAY['styling', 'fitting', 'alterations', 'collection'])[1 + b.customer_id %% 4],
                   '', 'booked', '', '', b.associate_id, %(today)s - interval '3 days', 1
            FROM book b
            JOIN generate_series(0, %(days)s - 1) AS d(day) ON b.n / {len(SLOTS)} = d.day
            JOIN slots s ON b.n %% {len(SLOTS)} = s.slot
            JOIN stores_store st ON st.id = b.store_id
            WHERE (b.customer_id + d.day) %% 3 <> 0
            """,  # noqa: S608 - fixed SQL
            {"today": today, "days": DAYS},
        )
        # The messages among the associates' contacts went by e-mail to customers who allow it.
        cursor.execute(
            """
            INSERT INTO outreach_message
                (public_id, customer_id, store_id, sent_by_id, use, channel, subject, body, status,
                 send_after, attempts, last_error, provider_reference, sent_at, interaction_id, created_at)
            SELECT md5('message ' || i.customer_id || ' ' || i.store_id || ' ' || i.occurred_at)::uuid,
                   i.customer_id, i.store_id, i.associate_id,
                   'outreach', 'email',
                   'New at ' || st.name,
                   'Hello ' || COALESCE(NULLIF(c.preferred_name, ''), c.given_name)
                       || ', new pieces have just arrived that made me think of you. '
                       || 'Come and see them when you are next passing. ' || u.first_name,
                   'sent', i.occurred_at, 1, '', '', i.occurred_at, i.id, i.occurred_at
            FROM relationships_interaction i
            JOIN customers_customer c ON c.id = i.customer_id
            JOIN stores_store st ON st.id = i.store_id
            JOIN accounts_user u ON u.id = i.associate_id
            JOIN consent_consentstate e
              ON e.customer_id = i.customer_id AND e.purpose_id = 'contact_email' AND e.granted
            WHERE i.kind = 'message'
              AND EXISTS (SELECT 1 FROM customers_customeridentifier x
                          WHERE x.customer_id = i.customer_id AND x.kind = 'email')
            """
        )
        # Wishlists: a third of the top clients who share their profile have a piece on theirs.
        cursor.execute(
            """
            WITH shown AS (
                SELECT p.id, ROW_NUMBER() OVER (ORDER BY p.id) - 1 AS n, COUNT(*) OVER () AS total
                FROM catalog_product p JOIN catalog_category k ON k.id = p.category_id
                WHERE p.is_active AND NOT k.is_sensitive
            )
            INSERT INTO outreach_wishlistitem
                (customer_id, product_id, size, added_via, added_by_id, store_id, created_at)
            SELECT r.customer_id, shown.id, '', 'associate', r.assigned_associate_id, r.store_id,
                   %(today)s - make_interval(days => (r.customer_id %% 40)::int)
            FROM customers_storerelationship r
            JOIN consent_consentstate c
              ON c.customer_id = r.customer_id AND c.purpose_id = 'profile' AND c.granted
            JOIN shown ON shown.n = (r.customer_id * 7919) %% shown.total
            WHERE r.assigned_associate_id IS NOT NULL AND r.customer_id %% 3 = 0
            ON CONFLICT DO NOTHING
            """,
            {"today": today},
        )
