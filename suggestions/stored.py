"""The fitted population model, stored on its run, and what each process keeps in memory of it.

A full run fits the engine's model once and stores it on the ``SuggestionRun`` as an ``.npz`` (numpy
arrays only: a database row must never run code, so no pickle); every worker that computes a batch
of that run reads it once (``model_of``), with the catalogue it scores against (``catalogue_of``).
"""

import dataclasses
import io
import json
import time

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions import data, order_lines
from suggestions.engine import Catalogue, Config
from suggestions.engine import model as engine_model
from suggestions.models import SuggestionRun


def dump_model(model: engine_model.Model, items: data.ItemIndex) -> bytes:
    """The model's arrays in an ``.npz`` (no pickle: a database row must never run code)."""
    arrays: dict[str, np.ndarray] = {"product_ids": items.product_ids}
    scalars: dict[str, object] = {}
    for spec in dataclasses.fields(model):
        value = getattr(model, spec.name)
        if sp.issparse(value):
            csr = value.tocsr()
            arrays |= {
                f"{spec.name}.data": csr.data,
                f"{spec.name}.indices": csr.indices,
                f"{spec.name}.indptr": csr.indptr,
                f"{spec.name}.shape": np.array(csr.shape),
            }
        elif isinstance(value, np.ndarray):
            arrays[spec.name] = value
        elif isinstance(value, Config):
            scalars[spec.name] = {"__config__": dataclasses.asdict(value)}
        else:
            scalars[spec.name] = value
    arrays["__scalars__"] = np.array(json.dumps(scalars))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_model(blob: bytes) -> tuple[engine_model.Model, data.ItemIndex]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    scalars = json.loads(str(arrays.pop("__scalars__")))
    values: dict[str, object] = {}
    for spec in dataclasses.fields(engine_model.Model):
        if f"{spec.name}.data" in arrays:
            shape = tuple(int(n) for n in arrays[f"{spec.name}.shape"])
            values[spec.name] = sp.csr_matrix(
                (arrays[f"{spec.name}.data"], arrays[f"{spec.name}.indices"], arrays[f"{spec.name}.indptr"]),
                shape=shape,
            )
        elif spec.name in arrays:
            values[spec.name] = arrays[spec.name]
        elif spec.name in scalars:
            value = scalars[spec.name]
            values[spec.name] = (
                Config(**value["__config__"]) if isinstance(value, dict) and "__config__" in value else value
            )
    return engine_model.Model(**values), data.ItemIndex(arrays["product_ids"].astype(np.int64))  # type: ignore[arg-type]


_loaded: dict[int, tuple[engine_model.Model, data.ItemIndex]] = {}
_held: dict[int, order_lines.HeldLines] = {}


def remember(
    run: SuggestionRun,
    model: engine_model.Model,
    items: data.ItemIndex,
    held: order_lines.HeldLines | None = None,
) -> None:
    """Keep the model this process just fitted for ``run``, instead of reading it back, and the lines
    it was fitted on, for the run's batches this process computes (``held_lines_of``)."""
    _loaded.clear()
    _loaded[run.pk] = (model, items)
    _held.clear()
    if held is not None:
        _held[run.pk] = held


def held_lines_of(run: SuggestionRun) -> order_lines.HeldLines | None:
    """The lines this process read to fit ``run``, if it did (other processes read per batch)."""
    return _held.get(run.pk)


def forget_lines(run: SuggestionRun) -> None:
    """Drop the held lines once ``run`` is finished (by the process that finishes it): they are the
    largest thing a worker keeps, about 36 bytes a line (270 MB for the 7.5 million lines of the
    consenting half of 1M demo customers). A worker process that fitted a run another one finished
    keeps them until it fits the next; Celery's ``worker_max_memory_per_child`` recycles it sooner if
    that matters."""
    _held.pop(run.pk, None)


def model_of(run: SuggestionRun) -> tuple[engine_model.Model, data.ItemIndex]:
    """The run's model, read once per process (a worker computes many batches of one run)."""
    if run.pk not in _loaded:
        blob = SuggestionRun.objects.filter(pk=run.pk).values_list("model", flat=True).get()
        if blob is None:
            raise ValueError(f"Run {run.pk} has no fitted model.")
        _loaded.clear()
        _loaded[run.pk] = load_model(bytes(blob))
    return _loaded[run.pk]


_catalogue: list[tuple[data.ItemIndex, float, Catalogue]] = []
CATALOGUE_SECONDS = 300


def remember_catalogue(items: data.ItemIndex, catalogue: Catalogue) -> None:
    """Keep a catalogue this process has just read (for the fit) for the batches it computes next."""
    _catalogue[:] = [(items, time.monotonic(), catalogue)]


def catalogue_of(items: data.ItemIndex) -> Catalogue:
    """The catalogue (attributes and stock) for this item index, re-read at most every 5 minutes."""
    if (
        not _catalogue
        or _catalogue[0][0] is not items
        or time.monotonic() - _catalogue[0][1] > CATALOGUE_SECONDS
    ):
        _catalogue[:] = [(items, time.monotonic(), data.load_catalogue(items))]
    return _catalogue[0][2]
