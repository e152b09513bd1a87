"""Each rule as one set-based statement: the occasions of a slice of customers, made once.

A rule's ``SELECT`` yields (customer, store, key, due day, product, detail, owner); ``statement``
wraps it in one ``INSERT … ON CONFLICT DO NOTHING`` on (customer, kind, key), so running a rule
again, or over customers it has seen, makes nothing twice. ``{who}`` is the slice: a range of
customer ids (the nightly run, a batch at a time) or a list of them (an event: her order, a stock
update), written on the rule's driving table so an index takes it.

Every rule passes the same gate: a profile that stands for a person (not erased or merged away),
her consent to the profile and to at least one way of being contacted (e-mail, text) now; the
rules that read her purchases for what she may want (time for a new one, back in stock) also need
her consent to suggestions. A sensitive product is never a reason. The owner is her associate at
the store (``StoreRelationship.assigned_associate``) while she is active there (still a member of
the store), else nobody: the store's queue; after an appointment, the associate who saw her.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from occasions.models import Kind, OccasionRule, TopTiers

# The purposes' codes written out (consent.models.PurposeCode): the statements are fixed text.
GATE = """c.erased_at IS NULL AND c.merged_into_id IS NULL
   AND EXISTS (SELECT 1 FROM consent_consentstate g
                WHERE g.customer_id = c.id AND g.purpose_id = 'profile' AND g.granted)
   AND EXISTS (SELECT 1 FROM consent_consentstate g
                WHERE g.customer_id = c.id AND g.granted
                  AND g.purpose_id IN ('contact_email', 'contact_sms'))"""
SUGGESTIONS_GATE = """EXISTS (SELECT 1 FROM consent_consentstate g
                WHERE g.customer_id = c.id AND g.purpose_id = 'suggestions' AND g.granted)"""

_SELECTS: dict[str, str] = {
    Kind.THANK_YOU: """
        SELECT o.customer_id, o.store_id, 'order:' || o.id AS key, %(today)s::date AS due_on,
               NULL::bigint AS product_id,
               jsonb_build_object('amount', o.total_amount::text, 'currency', o.currency,
                                  'on', (o.placed_at AT TIME ZONE 'UTC')::date::text) AS detail,
               NULL::bigint AS owner_id
          FROM sales_order o JOIN customers_customer c ON c.id = o.customer_id
         WHERE {who:o.customer_id} AND o.store_id IS NOT NULL AND o.placed_at >= %(since)s
           AND o.total_amount >= %(min_amount)s AND {gate}""",
    Kind.BIRTHDAY: """
        SELECT c.id, c.home_store_id, 'birthday:' || extract(year FROM d.day)::int, d.day::date,
               NULL::bigint, jsonb_build_object(), NULL::bigint
          FROM generate_series(%(today)s::date, %(today)s::date + %(days_before)s, '1 day') AS d(day)
          JOIN customers_customer c
            ON extract(month FROM c.birth_date) = extract(month FROM d.day)
           AND extract(day FROM c.birth_date) = extract(day FROM d.day)
         WHERE {who:c.id} AND c.home_store_id IS NOT NULL AND {gate}""",
    Kind.ANNIVERSARY: """
        SELECT c.id, c.home_store_id, 'date:' || i.id || ':' || extract(year FROM d.day)::int, d.day::date,
               NULL::bigint, jsonb_build_object('label', i.label, 'kind', i.kind), NULL::bigint
          FROM generate_series(%(today)s::date, %(today)s::date + %(days_before)s, '1 day') AS d(day)
          JOIN customers_importantdate i
            ON i.month = extract(month FROM d.day) AND i.day = extract(day FROM d.day)
          JOIN customers_customer c ON c.id = i.customer_id
         WHERE {who:i.customer_id} AND c.home_store_id IS NOT NULL AND {gate}""",
    Kind.AFTER_APPOINTMENT: """
        SELECT a.customer_id, a.store_id, 'appointment:' || a.id, %(today)s::date, NULL::bigint,
               jsonb_build_object('purpose', a.purpose, 'on', (a.starts_at AT TIME ZONE 'UTC')::date::text),
               a.associate_id
          FROM outreach_appointment a JOIN customers_customer c ON c.id = a.customer_id
         WHERE {who:a.customer_id} AND a.status = 'booked' AND a.ends_at < %(now)s
           AND a.ends_at >= %(since)s AND {gate}""",
    Kind.REPLENISH: """
        SELECT b.customer_id, c.home_store_id, 'product:' || b.product_id || ':' || b.last_on,
               b.last_on + round(pc.cycle_days)::int, b.product_id,
               jsonb_build_object('days', round(pc.cycle_days)::int, 'last_on', b.last_on::text), NULL::bigint
          FROM (SELECT o.customer_id, l.product_id, max(o.placed_at AT TIME ZONE 'UTC')::date AS last_on
                  FROM sales_order o JOIN sales_orderline l ON l.order_id = o.id
                 WHERE {who:o.customer_id} AND o.placed_at >= %(horizon)s
                 GROUP BY o.customer_id, l.product_id) b
          JOIN suggestions_productcycle pc
            ON pc.product_id = b.product_id AND pc.replenishable AND pc.cycle_days >= 1
          JOIN catalog_product p ON p.id = b.product_id AND p.is_active
          JOIN catalog_category cat ON cat.id = p.category_id AND NOT cat.is_sensitive
          JOIN customers_customer c ON c.id = b.customer_id
         WHERE b.last_on + round(pc.cycle_days)::int
               BETWEEN %(today)s::date - %(expires_after_days)s AND %(today)s::date + %(days_before)s
           AND c.home_store_id IS NOT NULL AND {gate} AND {suggestions_gate}""",
    Kind.LAPSING: """
        SELECT r.customer_id, r.store_id, 'lapsing:' || (r.last_activity_at AT TIME ZONE 'UTC')::date,
               %(today)s::date, NULL::bigint,
               jsonb_build_object(
                 'usual_days', round(extract(epoch FROM r.last_activity_at - r.first_activity_at)
                                     / 86400 / (r.orders_count - 1))::int,
                 'last_on', (r.last_activity_at AT TIME ZONE 'UTC')::date::text),
               NULL::bigint
          FROM customers_storerelationship r JOIN customers_customer c ON c.id = r.customer_id
         WHERE {who:r.customer_id} AND r.orders_count >= 3
           AND r.last_activity_at - r.first_activity_at >= interval '1 day'
           AND %(now)s - r.last_activity_at
               > (r.last_activity_at - r.first_activity_at) / (r.orders_count - 1) * %(lapse_factor)s
           AND r.last_activity_at >= %(horizon)s AND {gate}""",
    # Her silence runs from her last contact, or, never contacted, from her first visit; the key is the
    # store, her last contact and how many whole ``after_days`` the silence has lasted, so she comes
    # back once per stretch (dismissed, not before the next), and a contact starts afresh. A drifting-
    # away occasion of hers there within ``after_days`` says more, so it wins (it runs first).
    Kind.KEEP_IN_TOUCH: """
        SELECT r.customer_id, r.store_id,
               'keep:' || r.store_id || ':'
                 || coalesce((r.last_contacted_at AT TIME ZONE 'UTC')::date::text, 'never') || ':'
                 || (%(today)s::date - coalesce((coalesce(r.last_contacted_at, r.first_activity_at)
                                                  AT TIME ZONE 'UTC')::date, DATE '2000-01-01'))
                    / %(period_days)s,
               %(today)s::date, NULL::bigint,
               jsonb_build_object('tier', r.tier,
                                  'last_on', (r.last_contacted_at AT TIME ZONE 'UTC')::date::text,
                                  'since_on', (r.first_activity_at AT TIME ZONE 'UTC')::date::text),
               NULL::bigint
          FROM customers_storerelationship r JOIN customers_customer c ON c.id = r.customer_id
         WHERE {who:r.customer_id} AND r.tier = ANY(%(tiers)s)
           AND (coalesce(r.last_contacted_at, r.first_activity_at) IS NULL
                OR coalesce(r.last_contacted_at, r.first_activity_at) < %(since)s)
           AND NOT EXISTS (SELECT 1 FROM occasions_occasion k
                            WHERE k.customer_id = r.customer_id AND k.store_id = r.store_id
                              AND (k.kind = 'keep_in_touch' AND k.status = 'open'
                                   OR k.kind = 'lapsing' AND k.created_at >= %(since)s))
           AND {gate}""",
    Kind.WELCOME: """
        SELECT c.id, c.home_store_id, 'welcome', (s.since AT TIME ZONE 'UTC')::date, NULL::bigint,
               jsonb_build_object('on', (s.since AT TIME ZONE 'UTC')::date::text), NULL::bigint
          FROM consent_consentstate s JOIN customers_customer c ON c.id = s.customer_id
         WHERE {who:s.customer_id} AND s.purpose_id = 'profile' AND s.granted
           AND s.since >= %(since)s AND c.home_store_id IS NOT NULL AND {gate}""",
    Kind.NEVER_BOUGHT: """
        SELECT c.id, c.home_store_id, 'never_bought', %(today)s::date, NULL::bigint,
               jsonb_build_object('on', (s.since AT TIME ZONE 'UTC')::date::text), NULL::bigint
          FROM consent_consentstate s JOIN customers_customer c ON c.id = s.customer_id
         WHERE {who:s.customer_id} AND s.purpose_id = 'profile' AND s.granted
           AND s.since < %(since)s AND s.since >= %(since)s - interval '30 days'
           AND c.home_store_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.customer_id = c.id) AND {gate}""",
}

# The relationships' tiers (customers.models.ValueTier) each choice of ``OccasionRule.tier`` watches.
TOP_TIERS: dict[str, list[str]] = {
    TopTiers.PRIVATE_CLIENT: ["private_client"],
    TopTiers.PREFERRED: ["private_client", "preferred"],
}

# Back in stock is made by stock updates only (``occasions.events``): "back" is a change, not a state.
# In the order they run (``Kind``'s): drifting away before keep in touch, which gives way to it.
NIGHTLY = [kind for kind in Kind.values if kind in _SELECTS]

_INSERT = """
INSERT INTO occasions_occasion (customer_id, store_id, kind, key, owner_id, due_on, expires_on, status,
                                product_id, detail, template_id, outcome, dismissal, created_at)
SELECT x.customer_id, x.store_id, %(kind)s, x.key,
       coalesce(x.owner_id, (SELECT r.assigned_associate_id FROM customers_storerelationship r
                               JOIN accounts_user u ON u.id = r.assigned_associate_id AND u.is_active
                               JOIN accounts_storemembership m
                                 ON m.user_id = u.id AND m.store_id = r.store_id
                              WHERE r.customer_id = x.customer_id AND r.store_id = x.store_id)),
       x.due_on, x.due_on + %(expires_after_days)s, 'open', x.product_id, x.detail, %(template)s, '', '',
       %(now)s
  FROM ({select}) AS x (customer_id, store_id, key, due_on, product_id, detail, owner_id)
 WHERE x.due_on + %(expires_after_days)s >= %(today)s::date
ON CONFLICT (customer_id, kind, key) DO NOTHING"""


@dataclass(frozen=True)
class Statement:
    sql: str
    params: dict[str, Any]


def _who(sql: str, column: str, by_range: bool) -> str:
    predicate = f"{column} BETWEEN %(lo)s AND %(hi)s" if by_range else f"{column} = ANY(%(ids)s)"
    return sql.replace(f"{{who:{column}}}", predicate)


def statement(rule: OccasionRule, *, now: datetime, today: date, by_range: bool = True) -> Statement:
    """The rule's ``INSERT``, for a range of ids (``lo``, ``hi``) or a list (``ids``), to be added."""
    select = _SELECTS[rule.kind]
    for column in (
        "o.customer_id",
        "c.id",
        "i.customer_id",
        "a.customer_id",
        "r.customer_id",
        "s.customer_id",
    ):
        select = _who(select, column, by_range)
    select = select.replace("{gate}", GATE).replace("{suggestions_gate}", SUGGESTIONS_GATE)
    after = timedelta(days=rule.after_days)
    params = {
        "kind": rule.kind,
        "now": now,
        "today": today,
        "since": now - after,
        "horizon": now - timedelta(days=730),
        "min_amount": rule.min_amount if rule.min_amount is not None else 0,
        "days_before": rule.days_before,
        "expires_after_days": rule.expires_after_days,
        "lapse_factor": float(rule.lapse_factor),
        "period_days": max(rule.after_days, 1),
        "tiers": TOP_TIERS[rule.tier],
        "template": rule.template_id,
    }
    return Statement(_INSERT.format(select=select), params)
