"""Occasions under her data rights (see ``common.data_rights``): in her download (what kind, when,
what became of it; never who owned it), erased with her, moved on a merge (one per kind and key).
Her place on a campaign's uploaded list likewise (the campaign's name and dates), one per campaign."""

from typing import Any

from common.data_rights import Delete, Keep, Move, NotExported, Section, Stay, Subject, iso, register
from occasions.models import CampaignEntry, Occasion, OccasionRun

RUN = "a night's run of a rule: how far through the customer ids it got, no one's data"


def register_data_rights() -> None:
    register(
        Occasion,
        export=Section("occasions", _occasions),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.kind", "{t}.key")),
    )
    register(
        CampaignEntry,
        export=Section("campaign_lists", _campaign_lists),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.campaign_id",)),
    )
    register(OccasionRun, export=NotExported(RUN), erase=Keep(RUN), merge=Stay(RUN))


def _occasions(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "kind": o.kind,
            "due_on": o.due_on.isoformat(),
            "status": o.status,
            "outcome": o.outcome,
            "store": o.store.name,
            "made_at": iso(o.created_at),
        }
        for o in Occasion.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-created_at", "-pk")[: subject.recent]
    ]


def _campaign_lists(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "campaign": e.campaign.name,
            "from": e.campaign.starts_on.isoformat(),
            "until": e.campaign.ends_on.isoformat(),
        }
        for e in CampaignEntry.objects.filter(customer_id__in=subject.ids)
        .select_related("campaign")
        .order_by("-campaign__created_at", "-pk")[: subject.recent]
    ]
