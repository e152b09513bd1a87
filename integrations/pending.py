"""An item of a request on its way in (an order, a service episode): the customer it names, read from
the item's ``customer`` object and normalised, for ``identity.resolution`` to find her."""

from dataclasses import dataclass, field
from typing import Any

from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from identity.resolution import STRENGTH, Incoming


@dataclass(kw_only=True)
class PendingRecord(Incoming):
    """An item of the request (``data``, validated) at ``index``, with its errors and what writing it
    did (``status``)."""

    index: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: str = ""


def parse_identifiers(orders: list[PendingRecord]) -> None:
    """Each item's identifiers, strongest first (the phone in its store's country by default), and the
    names a customer made from it gets; an identifier that cannot be one is an error on its field."""
    for order in orders:
        ref = order.data.get("customer") or {}
        order.given_name = ref.get("given_name", "")
        order.family_name = ref.get("family_name", "")
        region = order.store.country if order.store else None
        for kind in STRENGTH:
            raw = ref.get("external_id" if kind == IdentifierKind.EXTERNAL else kind, "")
            if not raw or not raw.strip():
                continue
            namespace = order.data["channel"] if kind == IdentifierKind.EXTERNAL else ""
            try:
                order.identifiers.append((kind, namespace, normalise(kind, raw, default_region=region)))
            except InvalidIdentifier as error:
                name = "external_id" if kind == IdentifierKind.EXTERNAL else kind
                order.errors[f"customer.{name}"] = [str(error)]
