"""Run independent pieces of work (batches of customers, blocks of items) in a few threads."""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor


def in_threads[T, R](work: Callable[[T], R], pieces: Sequence[T], workers: int) -> list[R]:
    """``[work(piece) for piece in pieces]``, in order, on up to ``workers`` threads.

    Worth it because numpy's sorts and ufuncs and scipy's sparse products release the GIL.
    """
    if workers <= 1 or len(pieces) <= 1:
        return [work(piece) for piece in pieces]
    with ThreadPoolExecutor(max_workers=min(workers, len(pieces))) as pool:
        return list(pool.map(work, pieces))
