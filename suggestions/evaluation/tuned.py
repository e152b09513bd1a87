"""The baselines' hyper-parameters as the evaluation runs them: for item-kNN and ALS the
configurations the evaluation has always used (cosine, K 100; 64 factors, 15 iterations), for TIFU-KNN
the values its authors published for Ta-Feng, for personal top-frequency no decay."""

from suggestions.evaluation.baselines import AlsParams, ItemKnnParams, TifuParams, TopFrequencyParams
from suggestions.evaluation.tuning import Chosen

TOP_FREQUENCY = Chosen(top=TopFrequencyParams(), explore=TopFrequencyParams())
ITEM_KNN = Chosen(top=ItemKnnParams(), explore=ItemKnnParams())
ALS = Chosen(top=AlsParams(), explore=AlsParams())
TIFU_KNN = Chosen(top=TifuParams(), explore=TifuParams())
