"""Next-purchase suggestions from purchase histories: numpy and scipy only, no Django.

    model = fit(interactions, catalogue, config)          # population statistics
    result = model.recommend(customers, interactions, catalogue, preferences, config)

``result`` holds, per customer, a Buy again list (replenishable items she bought, by the learnt
chance her next order holds them), a Discover list (items she has not bought: what goes with her
purchases, her brands' best and newest, best sellers; for a customer without history, her store's
and the season's best sellers in her store's price band: ``starters``) and the Combined list the
offline evaluation scores, each row with a reason code and the data for a sentence. The rules
(``rules``) hold for every list: nothing sensitive (and sensitive purchases inform nothing), nothing
of a brand, category or colour she dislikes, nothing dismissed within ``dismiss_days``, nothing non-
replenishable she bought, at most ``max_per_category`` per category. Customers without consent must
simply not be passed in.
"""

from suggestions.engine.model import Model, fit
from suggestions.engine.types import (
    BOUGHT_BEFORE,
    BRAND_YOU_LOVE,
    BUY_AGAIN,
    CATEGORY_YOU_LIKE,
    COMBINED,
    DISCOVER,
    GOES_WITH,
    IN_SEASON,
    IN_STOCK,
    IN_YOUR_SIZE,
    LIKED_BY_PEERS,
    LIST_NAMES,
    MODEL_VERSION,
    NEW_FROM_BRAND,
    POPULAR,
    POPULAR_AT_STORE,
    POPULAR_WITH_SIMILAR,
    REASON_NAMES,
    Catalogue,
    Config,
    Interactions,
    Preferences,
    Stock,
    Suggestions,
)

__all__ = [
    "BOUGHT_BEFORE",
    "BRAND_YOU_LOVE",
    "BUY_AGAIN",
    "CATEGORY_YOU_LIKE",
    "COMBINED",
    "DISCOVER",
    "GOES_WITH",
    "IN_SEASON",
    "IN_STOCK",
    "IN_YOUR_SIZE",
    "LIKED_BY_PEERS",
    "LIST_NAMES",
    "MODEL_VERSION",
    "NEW_FROM_BRAND",
    "POPULAR",
    "POPULAR_AT_STORE",
    "POPULAR_WITH_SIMILAR",
    "REASON_NAMES",
    "Catalogue",
    "Config",
    "Interactions",
    "Model",
    "Preferences",
    "Stock",
    "Suggestions",
    "fit",
]
