"""The methods the engine is compared with, each returning, for given customers, a list of ten and a
list of ten items she has not bought (``Lists``): popularity, personal top-frequency with recency
decay, item-kNN, ALS (``implicit``) and TIFU-KNN. Each has its hyper-parameters in a frozen
dataclass and a ``search`` over them on the tune half (``suggestions.evaluation.tuning``)."""

from suggestions.evaluation.baselines.common import (
    Lists,
    order_counts,
    popular_items,
    popular_unbought,
    popularity,
)
from suggestions.evaluation.baselines.factorisation import AlsParams, als, load_implicit
from suggestions.evaluation.baselines.frequency import TopFrequencyParams, top_frequency
from suggestions.evaluation.baselines.item_neighbours import ItemKnnParams, item_knn
from suggestions.evaluation.baselines.tifu import TifuParams, tifu_knn

__all__ = [
    "AlsParams",
    "ItemKnnParams",
    "Lists",
    "TifuParams",
    "TopFrequencyParams",
    "als",
    "item_knn",
    "load_implicit",
    "order_counts",
    "popular_items",
    "popular_unbought",
    "popularity",
    "tifu_knn",
    "top_frequency",
]
