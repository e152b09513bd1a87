"""A baseline's hyper-parameters, one set for each of its two lists."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Chosen[P]:
    """A baseline's hyper-parameters for its list of ten and for its list of items she has not
    bought."""

    top: P
    explore: P
