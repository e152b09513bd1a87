"""Every write of customer data. Each function audits what it changes (ids and field names only)."""

from customers.services.facets import (
    add_important_date,
    remove_important_date,
    remove_preference,
    remove_size,
    set_preference,
    set_size,
)
from customers.services.profiles import (
    PROFILE_FIELDS,
    IdentifierInUse,
    NewCustomer,
    NewIdentifier,
    add_identifier,
    create_customer,
    update_profile,
)
from customers.services.tiers import compute_value_tiers

__all__ = [
    "PROFILE_FIELDS",
    "IdentifierInUse",
    "NewCustomer",
    "NewIdentifier",
    "add_identifier",
    "add_important_date",
    "compute_value_tiers",
    "create_customer",
    "remove_important_date",
    "remove_preference",
    "remove_size",
    "set_preference",
    "set_size",
    "update_profile",
]
