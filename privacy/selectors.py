"""Reads of her downloads."""

from consent.models import DataExport
from customers.models import Customer
from privacy.export import session_digest


def latest_export(customer: Customer, *, session: str) -> DataExport | None:
    """Her newest download asked for in this privacy-centre ``session``, whatever its state (another
    browser's is not offered here: it can only be downloaded there)."""
    if not session:
        return None
    exports = DataExport.objects.filter(customer=customer, requested_in=session_digest(session))
    return exports.order_by("-requested_at").first()
