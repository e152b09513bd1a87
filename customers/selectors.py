"""Reads of customers that are not a member of staff's (staff reads start from
``consent.selectors.customers_visible_to``): who a customer is, from what she types herself."""

from customers.models import Customer, CustomerIdentifier
from customers.services.profiles import survivor


def person_holding(kind: str, value: str) -> Customer | None:
    """The profile that stands today for whoever holds this normalised e-mail or phone (following
    merges), unless she was erased."""
    identifier = (
        CustomerIdentifier.objects.filter(
            kind=kind, namespace="", value=value, customer__erased_at__isnull=True
        )
        .select_related("customer")
        .first()
    )
    return survivor(identifier.customer) if identifier is not None else None
