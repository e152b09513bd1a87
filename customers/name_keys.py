"""Names found whatever order their letters were typed in: "Smtih" finds Smith, "Jonse" Jones,
"Jonnes" Jones too.

Each word of a name (three letters or more) has a key: its distinct letters in order ("smith" →
"himst"). A transposed or doubled letter leaves the key as it is, where trigrams (pg_trgm) lose most
of their overlap. ``public.clienteling_name_keys(search_name)`` gives a name's keys (migration
customers 0007, a GIN index over it); ``query_keys`` gives the typed words' keys the same way, and a
name whose keys contain all of them is a candidate beside the trigram matches.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

MIN_WORD = 3


class NameKeys(models.Func):
    """``public.clienteling_name_keys(expression)``: the keys of a name's words, as a text array."""

    function = "public.clienteling_name_keys"
    output_field = ArrayField(models.TextField())


def key(word: str) -> str:
    """A word's distinct letters in code-point order (PostgreSQL's "C" collation)."""
    return "".join(sorted(set(word)))


def query_keys(normalised: str) -> list[str]:
    """The keys of the typed words (already lower case and accent-free, as ``search_name`` is)."""
    return sorted({key(word) for word in normalised.split() if len(word) >= MIN_WORD})


# The SQL function: IMMUTABLE (an index expression), the same keys as ``query_keys``.
FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION public.clienteling_name_keys(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN ARRAY(
    SELECT DISTINCT (SELECT string_agg(DISTINCT letter COLLATE "C", '' ORDER BY letter COLLATE "C")
                     FROM regexp_split_to_table(word, '') AS letter)
    FROM regexp_split_to_table(name, '\s+') AS word
    WHERE length(word) >= 3
);
"""
