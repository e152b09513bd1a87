"""Reads of stores by the codes other systems use."""

from collections.abc import Iterable

from stores.models import Store


def store_by_code(code: str) -> Store | None:
    return Store.objects.filter(code=code).first()


def stores_by_code(codes: Iterable[str]) -> dict[str, Store]:
    return {store.code: store for store in Store.objects.filter(code__in=set(codes))}
