"""Reads of sales records by the keys other systems use."""

from sales.models import Order, ServiceEpisode


def order_by_key(channel: str, external_id: str) -> Order | None:
    return Order.objects.filter(channel=channel, external_id=external_id).first()


def episode_by_key(external_id: str) -> ServiceEpisode | None:
    return ServiceEpisode.objects.filter(external_id=external_id).first()
