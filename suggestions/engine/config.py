"""The engine's settings: what the card asks for, the rules' windows, the model's hyper-parameters."""

import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Config:
    """What the card asks for, the rules' windows, and the model's hyper-parameters.

    The hyper-parameter defaults were tuned on the "tune" half of the Online Retail customers
    (``manage.py evaluate_suggestions``: basket_decay, half_life_days, neighbours, similarity_alpha,
    basket_weight, discover_weight, popularity_weight, popularity_half_life_days, candidates) and
    checked on the other half; the brand, colour and stock settings have no such data behind them.
    """

    k_buy_again: int = 5
    k_discover: int = 5
    k_combined: int = 10
    min_per_list: int | None = None
    """When set, Buy again and Discover share ``k_buy_again + k_discover`` places as her combined
    ranking does, each keeping at least this many when it has them: a shop whose clients mostly buy
    again shows more Buy again, one whose clients seldom do more Discover. None: ``k`` each."""
    max_per_category: int = 2
    """Per list; the evaluation raises it, since Online Retail has no real categories."""
    recent_days: float = 30.0
    """A non-replenishable item she bought this recently is never suggested (nor is one bought earlier:
    Discover only holds what she has not bought, Buy again only replenishable items)."""
    dismiss_days: float = 90.0
    now: float = math.nan
    """Today, in days; nan means the day of the latest non-sensitive purchase in the interactions."""
    new_days: float = 60.0
    """An item that arrived this recently is "new" (NEW_FROM_BRAND)."""
    restock_days: float = 21.0
    """An item back in stock this recently in her store and size earns IN_STOCK."""

    # Her own history (TIFU-style decayed frequency).
    basket_decay: float = 0.9
    """Weight of an order relative to the next one of hers (recency across her orders)."""
    repeat_training_customers: int = 20_000
    """Customers sampled to learn the repeat model from their own latest order (eight weights: more
    customers change nothing measurable and cost fit time)."""
    repeat_ridge: float = 1.0
    """Pull of the repeat model's weights towards ``repeat.DEFAULT_WEIGHTS`` (matters for small shops)."""
    seed: int = 0

    # Which items are bought again, where the retailer has not said (``replenishment``).
    replenish_min_share: float = 0.1
    """An item is bought again (Buy again may suggest it) when at least this share of the buyers who
    came back bought it again."""
    replenish_shrink: float = 20.0
    """Pseudo-buyers pulling an item's repeat share and interval towards its category's: in a category
    where one buyer in a hundred buys again, an item needs about three of its first five buyers to."""

    # The population's item-to-item statistics.
    neighbours: int = 20
    """Similar items kept per item."""
    similarity_alpha: float = 0.5
    """Popularity correction: co-buys / ((buyers_i + shrink) ** alpha * (buyers_j + shrink) ** (1-alpha))."""
    similarity_shrink: float = 2.0
    """Added to the buyer counts so a pair seen once among rare items does not dominate."""
    half_life_days: float = 60.0
    """Co-purchases lose half their weight after this many days (population time decay)."""
    basket_weight: float = 0.0
    """Share of the item-to-item statistic from same-order co-purchase rather than from same-customer
    co-purchase. 0 won on Online Retail, whose orders hold twenty items; a shop of small baskets may
    want some (0.25 cost Online Retail nothing measurable but a quarter more fitting time)."""

    # Mixing into the lists.
    discover_weight: float = 0.05
    """Scale of a new item's score against a repeat item's (a repeat score is a probability)."""
    popularity_weight: float = 0.01
    """Share of global popularity mixed into a new item's score (and the fill for thin histories)."""
    popularity_half_life_days: float = 30.0
    """Popularity counts an order at half weight after this many days (what sells now)."""
    new_arrival_popularity: float = 0.1
    """A recent arrival (``new_days``) counts as at least this popular (best seller = 1)."""
    brand_pool_size: int = 5
    """Items per brand (best sellers now, recent arrivals counted as ``new_arrival_popularity``)
    considered for a customer who loves the brand."""
    loved_brands: int = 3
    """Her brands (by share of her history) whose pools are considered, besides those she likes."""
    brand_weight: float = 0.5
    category_weight: float = 0.3
    colour_weight: float = 0.2
    liked_boost: float = 0.5
    """Added to the affinity for a brand, category or colour she said she likes."""
    in_stock_boost: float = 0.2
    """Relative boost for an item in stock (everywhere, or in her store and size)."""
    workers: int = 1
    """Threads scoring batches (and similarity blocks) at once; numpy and scipy release the GIL."""
    batch_size: int = 20_000
    """Customers scored at once per worker: about 150 MB at 20,000 customers of ~15 items each."""
    candidates: int = 30
    """Neighbour items she has not bought kept per customer before her own filters (dislikes,
    dismissals), and the candidates each list is picked from."""

    # A customer with no usable history (``starters``).
    starter_pool: int = 30
    """Her store's best sellers now, and the season's, considered for a customer without history."""
    season_from_days: float = -7.0
    season_to_days: float = 35.0
    """"This time of year": orders placed from a week before to five weeks after today, a year ago."""
    price_band_low: float = 0.2
    price_band_high: float = 0.8
    """A customer without history is shown items priced between these quantiles of what her store's
    order lines cost over ``price_band_days`` (the chain's, when her store has too few lines)."""
    price_band_days: float = 365.0
