"""Service episodes: alterations, repairs, styling appointments and visits, keyed by the id their
system gives them."""

from datetime import datetime

from audit.services import record_event
from catalog.models import Product
from common.upsert import UNCHANGED, upsert
from sales.models import ServiceEpisode
from stores.models import Store


def write_episode(
    *,
    external_id: str,
    kind: str,
    status: str,
    store: Store,
    customer_id: int | None,
    product: Product | None,
    opened_at: datetime,
    closed_at: datetime | None,
    summary: str,
    actor_kind: str,
) -> tuple[str, ServiceEpisode]:
    """Create or update the episode; a change to a customer's is audited (ids, kind and status)."""
    written, episode = upsert(
        ServiceEpisode,
        {"external_id": external_id},
        {
            "kind": kind,
            "status": status,
            "store": store,
            "customer_id": customer_id,
            "product": product,
            "opened_at": opened_at,
            "closed_at": closed_at,
            "summary": summary,
        },
    )
    if written != UNCHANGED and episode.customer_id:
        record_event(
            by=None,
            actor_kind=actor_kind,
            action="service_episode.upserted",
            customer_id=episode.customer_id,
            store_id=store.pk,
            detail={"episode": episode.pk, "kind": episode.kind, "status": written},
        )
    return written, episode
