"""The baselines' stored hyper-parameters: what ``manage.py evaluate_suggestions`` chose on the tune
half of Online Retail (each baseline's ``search``, seeds fixed; list of ten by Recall@10, new-item
list by new-item Recall@10), used as they are with ``--no-tune`` and by the tests, which stay fast.

Chosen on 2026-12-06 by ``manage.py evaluate_suggestions ../shared/data/online_retail.csv.gz
--threads 2`` with the searches of the commit that wrote this file; run it again after changing a
baseline or its search, and copy what it prints here.
"""

from suggestions.evaluation.baselines import AlsParams, ItemKnnParams, TifuParams, TopFrequencyParams
from suggestions.evaluation.tuning import Chosen

TOP_FREQUENCY = Chosen(
    top=TopFrequencyParams(decay=0.9),
    explore=TopFrequencyParams(decay=1.0),  # popularity among her unbought items, whatever the decay
)
ITEM_KNN = Chosen(
    # K 1 keeps each item's similarity to itself only: her order counts, as top-frequency ranks them.
    top=ItemKnnParams(neighbours=1, weighting="cosine", values="counts", shrink=0.0),
    explore=ItemKnnParams(
        neighbours=5, weighting="bm25", values="binary", shrink=1000.0, bm25_k1=100.0, bm25_b=0.8
    ),
)
ALS = Chosen(
    top=AlsParams(factors=256, regularization=0.1, iterations=15, alpha=10.0, scaling="log"),
    explore=AlsParams(factors=128, regularization=0.01, iterations=15, alpha=5.0, scaling="log"),
)
TIFU_KNN = Chosen(
    top=TifuParams(neighbours=100, groups=3, within_decay=0.9, group_decay=0.7, alpha=0.1),
    # m 1: one group, so r_g and where r_b counts from make no difference; alpha: any below 1.
    explore=TifuParams(
        neighbours=50, groups=1, within_decay=0.6, group_decay=0.6, alpha=0.0, decay_from="group end"
    ),
)
