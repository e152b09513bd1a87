"""Likely duplicates: profiles that look like one person but share no identifier, for a manager to
review. Found set-based (a nightly Celery task, ``find_duplicates``) and queued by identity
resolution when an order carries identifiers of two profiles that may not be merged automatically.

A pair needs a similar name (pg_trgm similarity of the accent-free names) plus one of: phones that
agree in their last six digits or in all but their last two (a different prefix, a mistyped ending),
e-mail addresses with the same name before the @ at another provider, or the same birth date. Pairs
are compared within those keys only, never all against all, so the search stays linear.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.models import DuplicateCandidate

NAME_MIN_SIMILARITY = 0.5
SIGNALS = {
    "phone_end": _("phones end with the same six digits"),
    "phone_start": _("phones differ only in their last two digits"),
    "email_name": _("same e-mail name at another provider"),
    "birth_date": _("same birth date"),
    # Named together on one incoming order or customer record:
    "shared_phone": _("the same phone on one incoming order or customer record"),
    "shared_email": _("the same e-mail on one incoming order or customer record"),
    "shared_loyalty": _("the same loyalty number on one incoming order or customer record"),
    "shared_external": _("the same channel customer id on one incoming order or customer record"),
}


def find_duplicates(*, min_score: float | None = None) -> int:
    """Queue every likely duplicate pair among active profiles; returns pairs queued or refreshed.

    A pair a manager decided stays decided; an open pair gets today's evidence and score.
    """
    threshold = settings.DUPLICATE_MIN_SCORE if min_score is None else min_score
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH active AS MATERIALIZED (
                SELECT id, birth_date,
                       left(public.clienteling_unaccent(lower(given_name)), 3) AS given,
                       left(public.clienteling_unaccent(lower(family_name)), 3) AS family
                  FROM customers_customer
                 WHERE merged_into_id IS NULL AND erased_at IS NULL AND birth_date IS NOT NULL
                   AND length(btrim(search_name)) >= 3
            ), phones AS MATERIALIZED (
                SELECT customer_id, right(value, 6) AS tail, left(value, -2) AS head
                  FROM customers_customeridentifier WHERE kind = 'phone' AND length(value) >= 8
            ), emails AS MATERIALIZED (
                SELECT customer_id, split_part(value, '@', 1) AS name FROM customers_customeridentifier
                 WHERE kind = 'email' AND length(split_part(value, '@', 1)) >= 5
            ), keyed AS (
                SELECT a.customer_id AS a, b.customer_id AS b, 'phone_end' AS signal
                  FROM phones a JOIN phones b ON a.tail = b.tail AND a.customer_id < b.customer_id
                UNION ALL
                SELECT a.customer_id, b.customer_id, 'phone_start'
                  FROM phones a JOIN phones b ON a.head = b.head AND a.customer_id < b.customer_id
                UNION ALL
                SELECT a.customer_id, b.customer_id, 'email_name'
                  FROM emails a JOIN emails b ON a.name = b.name AND a.customer_id < b.customer_id
                UNION ALL
                -- A birth date is shared by many: compare only those whose given or family names
                -- begin alike (a pair of similar names nearly always does), not every pair born that day.
                SELECT a.id, b.id, 'birth_date'
                  FROM active a JOIN active b
                    ON a.birth_date = b.birth_date AND a.family = b.family AND a.id < b.id
                UNION ALL
                SELECT a.id, b.id, 'birth_date'
                  FROM active a JOIN active b
                    ON a.birth_date = b.birth_date AND a.given = b.given AND a.id < b.id
            ), pairs AS (
                SELECT k.a, k.b, array_agg(DISTINCT k.signal ORDER BY k.signal) AS signals,
                       similarity(x.search_name, y.search_name) AS name
                  FROM keyed k
                  JOIN customers_customer x ON x.id = k.a AND x.merged_into_id IS NULL AND x.erased_at IS NULL
                  JOIN customers_customer y ON y.id = k.b AND y.merged_into_id IS NULL AND y.erased_at IS NULL
                 GROUP BY k.a, k.b, x.search_name, y.search_name
                HAVING similarity(x.search_name, y.search_name) >= %(name_min)s
            ), scored AS (
                SELECT a, b, signals, name,
                       least(1.0, 0.5 * name + greatest(
                           CASE WHEN signals && ARRAY['phone_end', 'phone_start'] THEN 0.45 ELSE 0 END,
                           CASE WHEN 'email_name' = ANY(signals) THEN 0.4 ELSE 0 END,
                           CASE WHEN 'birth_date' = ANY(signals) THEN 0.3 ELSE 0 END
                       ) + 0.1 * (cardinality(signals) - 1)) AS score
                  FROM pairs
            )
            INSERT INTO identity_duplicatecandidate AS d
                   (first_id, second_id, score, evidence, status, found_at)
            SELECT a, b, score,
                   jsonb_build_object('name', round(name::numeric, 2), 'signals', to_jsonb(signals)),
                   'open', %(now)s
              FROM scored WHERE score >= %(min_score)s
            ON CONFLICT (first_id, second_id) DO UPDATE
               SET score = EXCLUDED.score, evidence = EXCLUDED.evidence
             WHERE d.status = 'open'
            """,
            {
                "name_min": NAME_MIN_SIMILARITY,
                "min_score": threshold,
                "now": timezone.now(),
            },
        )
        return cursor.rowcount


def queue_pair(first_id: int, second_id: int, *, signals: Iterable[str], note: str = "") -> None:
    """Queue two profiles an incoming record named together (reopening nothing already decided)."""
    a, b = sorted((first_id, second_id))
    evidence: dict[str, object] = {"signals": sorted(signals)}
    if note:
        evidence["source"] = note
    DuplicateCandidate.objects.get_or_create(
        first_id=a, second_id=b, defaults={"score": 1.0, "evidence": evidence, "found_at": timezone.now()}
    )
