"""Every write of stores."""

from typing import Any

from common.upsert import upsert
from stores.models import Store


def write_store(*, code: str, **values: Any) -> tuple[str, Store]:
    """Create or update the store with this code (``values``: its other fields)."""
    return upsert(Store, {"code": code}, values)
