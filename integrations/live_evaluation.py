"""The live evaluation: the suggestions the product serves from a retailer's file, scored like the
offline engine (``manage.py evaluate_suggestions_live``).

Offline, the engine learns from the file's rows in memory. Live, the same training rows (the
held-out last orders left out, the same customers evaluated) go the way a retailer's data goes: a
sales file through the real import (``integrations.imports.import_sales``), the ``suggestions``
purpose granted to every customer it made through the consent service, the real full refresh
(``suggestions.refresh.run_full_refresh``: its rules, stock, dislikes, category cap and list
lengths, as the settings have them), and the rows it stored read back and scored with the same
measures on the same halves. It lives on the feature floor because it drives a feature (the import)
and the domain together; what it asks of the suggestions app is in ``suggestions.evaluation.live``.

It runs in whichever database the default connection points at: the command's scratch database,
or a test's.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from consent.models import Method, PurposeCode, Verification
from consent.policy import current_policy
from consent.services import record_consent
from customers.models import Customer, CustomerIdentifier
from integrations.imports import Summary, import_sales
from suggestions import replace
from suggestions.evaluation.live import served_lists, write_replenishable_products, write_training_rows
from suggestions.evaluation.protocol import Holdout
from suggestions.evaluation.readers import SECONDS_PER_DAY, Dataset
from suggestions.evaluation.runner import K, MethodRun
from suggestions.models import SuggestionRun
from suggestions.refresh import run_full_refresh

NAMESPACE = "evaluation"
"""The system whose customer ids the imported file holds (their external identifiers' namespace)."""
REFRESH_PHASES = ("load", "fit", "read", "compute", "delete", "write")


@dataclass(frozen=True)
class LiveEvaluation:
    run: MethodRun
    """The lists the product stored, as a method of the evaluation (``name="live"``)."""
    imported: Summary
    training_rows: int
    replenishable_products: int | None
    """Products the products file marked replenishable (None: not asked, as imported)."""
    granted: int
    refresh: SuggestionRun
    suggestion_rows: int
    """Rows stored for the evaluated customers."""
    shift_days: float
    """How much later the file's times were written than they are (see ``write_training_rows``)."""
    lag_minutes: float
    """The refresh's now (its fit) after the latest training order; offline, they are the same."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time per step: write, import, grant, refresh, read back."""
    refresh_seconds: dict[str, float] = field(default_factory=dict)
    """The refresh's own phases (``suggestions.replace.timings``; they overlap)."""


def evaluate_live(
    dataset: Dataset, holdout: Holdout, *, folder: Path, replenishable: bool = False
) -> LiveEvaluation:
    """Import ``holdout.train`` (written to a file in ``folder``), grant, refresh, read back.
    ``replenishable``: then import a products file saying every product is, as offline assumes.

    The database should hold none of the file's customers yet: an order already here is left as
    it is by the import, and the evaluation reads whatever lists her profile has."""
    seconds: dict[str, float] = {}
    latest = float(holdout.train.day.max())
    shift_days = timezone.now().timestamp() / SECONDS_PER_DAY - latest
    path = folder / "training_rows.csv"
    replenishable_products = None
    with _timed(seconds, "write"):
        written = write_training_rows(dataset, holdout, path, shift_days=shift_days)
    with _timed(seconds, "import"):
        imported = import_sales(path, source=NAMESPACE, rejects=folder / "rejected_rows.csv")
        if replenishable:
            products = folder / "replenishable_products.csv"
            write_replenishable_products(dataset, holdout, products)
            marked = import_sales(products, source=NAMESPACE, rejects=folder / "rejected_products.csv")
            replenishable_products = marked.records.get("updated", 0) + marked.records.get("unchanged", 0)
    with _timed(seconds, "grant"):
        granted = grant_suggestions(namespace=NAMESPACE)
    before = dict(replace.timings)
    with _timed(seconds, "refresh"):
        refresh = run_full_refresh()
    with _timed(seconds, "read back"):
        served = served_lists(dataset, holdout, namespace=NAMESPACE, k=K)
    run = MethodRun(
        "live",
        served.top,
        served.discover,
        seconds["refresh"],
        int(dataset.catalogue.sensitive[served.items].sum()),
    )
    return LiveEvaluation(
        run=run,
        imported=imported,
        training_rows=written,
        replenishable_products=replenishable_products,
        granted=granted,
        refresh=refresh,
        suggestion_rows=served.rows,
        shift_days=shift_days,
        lag_minutes=(refresh.as_of.timestamp() / SECONDS_PER_DAY - latest - shift_days) * 24 * 60,
        seconds=seconds,
        refresh_seconds={name: replace.timings[name] - before.get(name, 0.0) for name in REFRESH_PHASES},
    )


def grant_suggestions(*, namespace: str) -> int:
    """Record an opt-in to ``suggestions`` for every customer with an external id in ``namespace``
    (the import's customers), through the consent service, as consent imported from the retailer's
    previous system would be; returns how many."""
    policy = current_policy(settings.LANGUAGE_CODE)
    customers = (
        Customer.objects.active()
        .filter(identifiers__kind=CustomerIdentifier.Kind.EXTERNAL, identifiers__namespace=namespace)
        .distinct()
    )
    granted = 0
    for customer in customers.order_by("pk").iterator(chunk_size=2_000):
        record_consent(
            customer=customer,
            purposes=[PurposeCode.SUGGESTIONS],
            granted=True,
            policy_version=policy,
            method=Method.IMPORT,
            verification=Verification.NONE,
        )
        granted += 1
    return granted


@contextmanager
def _timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = time.perf_counter() - started
