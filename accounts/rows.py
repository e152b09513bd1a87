"""Staff named in a row of raw SQL: an unsaved ``User`` with what pages show of them."""

from typing import Any

from accounts.models import User


def staff_from(row: dict[str, Any], prefix: str) -> User | None:
    """The staff member in columns ``<prefix>_id``, ``_username``, ``_first`` and ``_last``."""
    if row.get(f"{prefix}_id") is None:
        return None
    return User(
        id=row[f"{prefix}_id"],
        username=row[f"{prefix}_username"],
        first_name=row[f"{prefix}_first"],
        last_name=row[f"{prefix}_last"],
    )
