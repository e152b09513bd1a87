"""Reads of stores and their collection points (where customers opt in)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from stores.models import CollectionPoint, Store


def store_by_code(code: str) -> Store | None:
    return Store.objects.filter(code=code).first()


def stores_by_code(codes: Iterable[str]) -> dict[str, Store]:
    return {store.code: store for store in Store.objects.filter(code__in=set(codes))}


def active_store(store_id: int) -> Store | None:
    return Store.objects.filter(pk=store_id, is_active=True).first()


def store_by_id(store_id: int) -> Store:
    """A store by id, or ``Store.DoesNotExist``."""
    return Store.objects.get(pk=store_id)


def collection_points_of(stores: Iterable[Store]) -> QuerySet[CollectionPoint]:
    """The active collection points of ``stores`` (where customers can opt in), by store."""
    return CollectionPoint.objects.filter(store__in=list(stores), is_active=True).select_related("store")


def collection_point_in(stores: Iterable[Store], point_id: int) -> CollectionPoint | None:
    return collection_points_of(stores).filter(pk=point_id).first()


def active_collection_point(point_id: int) -> CollectionPoint | None:
    """A collection point customers can opt in at now: it and its store are active."""
    return (
        CollectionPoint.objects.select_related("store")
        .filter(pk=point_id, is_active=True, store__is_active=True)
        .first()
    )


def collection_point_of(store: Store, code: str) -> CollectionPoint | None:
    return CollectionPoint.objects.filter(store=store, code=code, is_active=True).first()


def collection_point(point_id: int) -> CollectionPoint | None:
    return CollectionPoint.objects.filter(pk=point_id).first()
