"""The product cycles a full refresh settles (``ProductCycle``): the retailer's word where there is
one, else what the sales teach. Written in one statement with the run's start; read by the card."""

import math
from datetime import datetime

import numpy as np
from django.db import connection, transaction

from suggestions import data
from suggestions.engine import Catalogue, Config
from suggestions.engine import model as engine_model
from suggestions.engine.replenishment import eligible
from suggestions.models import ProductCycle


def store_cycles(
    model: engine_model.Model, items: data.ItemIndex, catalogue: Catalogue, config: Config, as_of: datetime
) -> int:
    """Replace every product's cycle with this model's; returns how many products have one (those
    the retailer said it of, and those bought by a customer who came back)."""
    learnt = model.cycles()
    said = data.said_cycles(items)
    replenishable = eligible(learnt, catalogue, config)
    cycle = np.where(np.isnan(said.days), learnt.interval_days, said.days)
    cycle = np.where(replenishable, cycle, math.nan)
    keep = np.flatnonzero(said.known | (learnt.buyers > 0))
    table = ProductCycle._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
        cursor.execute(
            f"""
            INSERT INTO {table} (product_id, replenishable, said, cycle_days, repeat_share,
                                 interval_days, buyers, as_of)
            SELECT u.product_id, u.replenishable, u.said, nullif(u.cycle_days, 'NaN'), u.repeat_share,
                   nullif(u.interval_days, 'NaN'), u.buyers, %s
            FROM unnest(%s::bigint[], %s::bool[], %s::bool[], %s::float8[], %s::float8[], %s::float8[],
                        %s::int[])
                 AS u(product_id, replenishable, said, cycle_days, repeat_share, interval_days, buyers)
            JOIN catalog_product p ON p.id = u.product_id
            """,  # noqa: S608 - the model's own table
            [
                as_of,
                items.product_ids[keep].tolist(),
                replenishable[keep].tolist(),
                said.known[keep].tolist(),
                cycle[keep].tolist(),
                learnt.repeat_share[keep].tolist(),
                learnt.interval_days[keep].tolist(),
                learnt.buyers[keep].tolist(),
            ],
        )
        return cursor.rowcount
