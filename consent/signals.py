"""Sent inside the transaction that records consent, after the current state is updated, so other
apps can act on a withdrawal at once (the suggestions app deletes her suggestions)."""

from django.dispatch import Signal

# Arguments: customer_id (int), purposes (list[str]), granted (bool).
consent_recorded = Signal()
