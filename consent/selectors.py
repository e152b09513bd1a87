from consent.models import ConsentState, Purpose
from customers.models import Customer


def current_purposes(customer: Customer) -> set[str]:
    """The purposes this customer grants right now."""
    return set(
        ConsentState.objects.filter(customer=customer, granted=True).values_list("purpose_id", flat=True)
    )


def active_purposes() -> list[Purpose]:
    return list(Purpose.objects.filter(is_active=True))
