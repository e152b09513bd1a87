"""Campaigns: a segment of the stores' clients, split into each store's list and each associate's work.

A manager defines one for her stores (an administrator for any), as a draft: a name, the stores, the
segment (the client book's filters, plus no visit for some days, a category or brand she bought, a
product on her wishlist), the template, the channel and the dates. ``preview`` says how many it would
reach and how many it leaves out and why; ``launch`` splits it, in one transaction and one statement:

- the clients are those of the campaign's stores (her home store) that the launcher may see now and
  the segment takes;
- left out, counted by reason and never named: those who have not agreed to the campaign's channel,
  and those with no address for it;
- each of the others is an occasion (kind ``campaign``, due on the first day, expiring on the last)
  owned by her associate at her store if she has one there, the rest spread evenly over the store's
  associates (by customer id, in turn).

A running campaign can be paused (its occasions leave My day until it runs again) or ended (what is
still open expires). Each change checks the version the manager saw: a stale form is refused
(``StaleCampaign``), nothing written.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import Role, User
from audit.services import record_event
from consent.models import ConsentState
from consent.selectors import customers_visible_to
from customers.models import Customer, CustomerIdentifier, StoreRelationship
from occasions.campaign_lists import ClientList, attach_list
from occasions.models import Campaign, CampaignEntry, Kind, Occasion
from outreach.models import CHANNEL_PURPOSE, Channel, MessageTemplate, WishlistItem
from outreach.rules import CHANNEL_IDENTIFIER
from sales.models import OrderLine
from stores.models import Store

OWNED, UNOWNED = "owned", "unowned"


class StaleCampaign(Exception):
    """Someone changed the campaign since the form was drawn."""


class ListedStores(ValueError):
    """A draft from a list keeps its stores (the list was matched to them)."""


@dataclass(frozen=True)
class Segment:
    tier: str = ""
    owner: str = ""  # "": anyone or no one; OWNED: someone looks after her there; UNOWNED: no one
    not_contacted_days: int | None = None  # 0: never contacted by the store
    no_visit_days: int | None = None
    category_id: int | None = None  # bought in it in the last year
    brand_id: int | None = None  # bought of it in the last year
    wishlist_product_id: int | None = None

    @classmethod
    def of(cls, campaign: Campaign) -> "Segment":
        known = set(cls.__dataclass_fields__)
        return cls(
            **{k: v for k, v in (campaign.segment or {}).items() if k in known and v not in ("", None)}
        )

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass(frozen=True)
class Split:
    included: int
    not_agreed: int  # no consent to the campaign's channel
    no_address: int  # agreed, but no address for it

    def as_json(self) -> dict[str, int]:
        return asdict(self)


def audience(by: User, campaign: Campaign) -> QuerySet[Customer]:
    """The campaign's clients ``by`` may see: of its stores (home store), as its segment narrows them."""
    segment = Segment.of(campaign)
    store_ids = list(campaign.stores.values_list("pk", flat=True))
    customers = customers_visible_to(by).filter(home_store_id__in=store_ids)
    here = StoreRelationship.objects.filter(customer=OuterRef("pk"), store=OuterRef("home_store"))
    now = timezone.now()
    if campaign.from_list:
        listed = CampaignEntry.objects.filter(campaign=campaign, customer=OuterRef("pk"))
        customers = customers.filter(Exists(listed))
    if segment.tier:
        customers = customers.filter(Exists(here.filter(tier=segment.tier)))
    if segment.owner:
        owned = Exists(here.filter(assigned_associate__isnull=False))
        customers = customers.filter(owned if segment.owner == OWNED else ~owned)
    if segment.not_contacted_days == 0:
        customers = customers.exclude(Exists(here.filter(last_contacted_at__isnull=False)))
    elif segment.not_contacted_days:
        since = now - timedelta(days=segment.not_contacted_days)
        customers = customers.exclude(Exists(here.filter(last_contacted_at__gte=since)))
    if segment.no_visit_days:
        since = now - timedelta(days=segment.no_visit_days)
        customers = customers.exclude(Exists(here.filter(last_activity_at__gte=since)))
    year = now - timedelta(days=365)
    bought = OrderLine.objects.filter(order__customer=OuterRef("pk"), order__placed_at__gte=year)
    if segment.category_id:
        customers = customers.filter(Exists(bought.filter(product__category_id=segment.category_id)))
    if segment.brand_id:
        customers = customers.filter(Exists(bought.filter(product__brand_id=segment.brand_id)))
    if segment.wishlist_product_id:
        wished = WishlistItem.objects.filter(customer=OuterRef("pk"), product_id=segment.wishlist_product_id)
        customers = customers.filter(Exists(wished))
    return customers


_SPLIT = """
WITH audience AS ({audience}),
reach AS (
  SELECT a.id AS customer_id, a.home_store_id AS store_id,
         EXISTS (SELECT 1 FROM consent_consentstate g
                  WHERE g.customer_id = a.id AND g.purpose_id = %s AND g.granted) AS agreed,
         EXISTS (SELECT 1 FROM customers_customeridentifier i
                  WHERE i.customer_id = a.id AND i.kind = %s) AS reachable
    FROM audience a),
counted AS (
  SELECT count(*) FILTER (WHERE agreed AND reachable) AS included,
         count(*) FILTER (WHERE NOT agreed) AS not_agreed,
         count(*) FILTER (WHERE agreed AND NOT reachable) AS no_address
    FROM reach),
team AS (
  SELECT m.store_id, m.user_id,
         row_number() OVER (PARTITION BY m.store_id ORDER BY m.user_id) - 1 AS slot,
         count(*) OVER (PARTITION BY m.store_id) AS size
    FROM accounts_storemembership m JOIN accounts_user u ON u.id = m.user_id
   WHERE u.is_active AND u.role = %s),
eligible AS (
  SELECT r.customer_id, r.store_id,
         (SELECT s.assigned_associate_id FROM customers_storerelationship s
           WHERE s.customer_id = r.customer_id AND s.store_id = r.store_id
             AND s.assigned_associate_id IN (SELECT t.user_id FROM team t WHERE t.store_id = r.store_id))
           AS owner
    FROM reach r WHERE r.agreed AND r.reachable),
spread AS (
  SELECT e.customer_id, e.store_id,
         row_number() OVER (PARTITION BY e.store_id ORDER BY e.customer_id) - 1 AS n
    FROM eligible e WHERE e.owner IS NULL),
owned AS (
  SELECT customer_id, store_id, owner FROM eligible WHERE owner IS NOT NULL
  UNION ALL
  SELECT s.customer_id, s.store_id, t.user_id
    FROM spread s LEFT JOIN team t ON t.store_id = s.store_id AND t.slot = s.n %% t.size),
made AS (
  INSERT INTO occasions_occasion (customer_id, store_id, kind, key, owner_id, due_on, expires_on,
                                  status, product_id, detail, template_id, campaign_id, outcome,
                                  dismissal, created_at)
  SELECT o.customer_id, o.store_id, %s, %s, o.owner, %s, %s, 'open', NULL,
         jsonb_build_object('campaign', %s::text), %s, %s, '', '', %s
    FROM owned o
  ON CONFLICT (customer_id, kind, key) DO NOTHING
  RETURNING 1)
SELECT (SELECT count(*) FROM made), not_agreed, no_address FROM counted"""


def _counts_sql(by: User, campaign: Campaign) -> tuple[str, list[Any]]:
    sql, params = audience(by, campaign).values("id", "home_store_id").query.sql_with_params()
    return sql, list(params)


def preview(by: User, campaign: Campaign) -> Split:
    """How many the campaign would reach, and how many it leaves out and why (nothing written)."""
    channel = Channel(campaign.channel)
    rows = audience(by, campaign).aggregate(
        not_agreed=Count("pk", filter=~Q(Exists(_granted(channel)))),
        no_address=Count("pk", filter=Q(Exists(_granted(channel))) & ~Q(Exists(_address(channel)))),
        everyone=Count("pk"),
    )
    return Split(
        included=rows["everyone"] - rows["not_agreed"] - rows["no_address"],
        not_agreed=rows["not_agreed"],
        no_address=rows["no_address"],
    )


def _granted(channel: Channel) -> QuerySet[Any]:
    return ConsentState.objects.filter(
        customer=OuterRef("pk"), purpose_id=CHANNEL_PURPOSE[channel], granted=True
    )


def _address(channel: Channel) -> QuerySet[Any]:
    return CustomerIdentifier.objects.filter(customer=OuterRef("pk"), kind=CHANNEL_IDENTIFIER[channel])


@transaction.atomic
def create_draft(
    *,
    by: User,
    name: str,
    stores: list[Store],
    segment: Segment,
    template: MessageTemplate | None,
    channel: str,
    starts_on: date,
    ends_on: date,
    client_list: ClientList | None = None,
) -> Campaign:
    """A draft to preview, then launch (audited). With ``client_list``, its clients are those the file
    names (``occasions.campaign_lists``); a file that cannot be read raises ``ListFileError`` and
    nothing is written."""
    campaign = Campaign.objects.create(
        name=name, segment=segment.as_json(), template=template, channel=channel, starts_on=starts_on,
        ends_on=ends_on, created_by=by, created_at=timezone.now(),
    )  # fmt: skip
    campaign.stores.set(stores)
    detail: dict[str, Any] = {"campaign_id": campaign.pk}
    if client_list is not None:
        report = attach_list(
            by=by, campaign=campaign, stream=client_list.stream, kind=client_list.kind,
            namespace=client_list.namespace,
        )  # fmt: skip
        detail["list"] = {"rows": report.rows, "matched": report.matched, **report.counts}
    record_event(by=by, action="campaign.created", detail=detail)
    return campaign


def _locked(campaign: Campaign, version: int) -> Campaign:
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if current.version != version:
        raise StaleCampaign("The campaign changed since this page was drawn.")
    return current


@dataclass(frozen=True)
class Changes:
    """What an edit sets: any campaign's name, message and last day; a draft's other fields too."""

    name: str
    template: MessageTemplate | None
    ends_on: date
    draft: "DraftChanges | None" = None


@dataclass(frozen=True)
class DraftChanges:
    stores: list[Store]
    segment: Segment
    channel: str
    starts_on: date


@transaction.atomic
def update(*, by: User, campaign: Campaign, version: int, changes: Changes) -> list[str]:
    """Change the campaign at the version the manager saw (else ``StaleCampaign``, nothing written):
    a draft's every field but its list; a launched one's name, message and last day, which its open
    occasions follow (an ended one changes no more). Returns the fields changed (audited)."""
    current = _locked(campaign, version)
    if current.status == Campaign.Status.ENDED:
        raise StaleCampaign("An ended campaign changes no more.")
    template_id = changes.template.pk if changes.template else None
    values: dict[str, Any] = {"name": changes.name, "template_id": template_id, "ends_on": changes.ends_on}
    draft = changes.draft if current.status == Campaign.Status.DRAFT else None
    if draft is not None:
        values |= {"segment": draft.segment.as_json(), "channel": draft.channel, "starts_on": draft.starts_on}
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    stores_changed = draft is not None and {s.pk for s in draft.stores} != set(
        current.stores.values_list("pk", flat=True)
    )
    if stores_changed and current.from_list:
        raise ListedStores("A list was matched to its stores: for other stores, make a new campaign.")
    if draft is not None and stores_changed:
        current.stores.set(draft.stores)
        changed.append("stores")
    Campaign.objects.filter(pk=current.pk).update(**values, version=current.version + 1)
    if draft is None and changed:  # what is still to do follows: its message, last day and name
        Occasion.objects.filter(campaign=current, status=Occasion.Status.OPEN).update(
            template_id=values["template_id"],
            expires_on=changes.ends_on,
            detail=JSONObject(campaign=Value(changes.name)),
        )
    record_event(by=by, action="campaign.updated", detail={"campaign_id": current.pk, "changed": changed})
    return changed


@transaction.atomic
def launch(*, by: User, campaign: Campaign, version: int) -> Split:
    """Split the draft into the stores' lists and the associates' occasions (see the module docstring)."""
    current = _locked(campaign, version)
    if current.status != Campaign.Status.DRAFT:
        raise StaleCampaign("The campaign was launched already.")
    channel = Channel(current.channel)
    audience_sql, audience_params = _counts_sql(by, current)
    statement = _SPLIT.format(audience=audience_sql)
    # Positional, in the order the statement names them: the audience's own, then the split's.
    params = [
        *audience_params,
        CHANNEL_PURPOSE[channel],
        CHANNEL_IDENTIFIER[channel],
        Role.ASSOCIATE.value,
        Kind.CAMPAIGN.value,
        f"campaign:{current.pk}",
        current.starts_on,
        current.ends_on,
        current.name,
        current.template_id,
        current.pk,
        timezone.now(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        made, not_agreed, no_address = cursor.fetchone()
    split = Split(included=made, not_agreed=not_agreed, no_address=no_address)
    Campaign.objects.filter(pk=current.pk).update(
        status=Campaign.Status.ACTIVE,
        counts=split.as_json(),
        launched_at=timezone.now(),
        version=current.version + 1,
    )
    record_event(by=by, action="campaign.launched", detail={"campaign_id": current.pk, **split.as_json()})
    return split


@transaction.atomic
def set_status(*, by: User, campaign: Campaign, version: int, status: str) -> None:
    """Pause, run again, or end a launched campaign; ending expires what is still open."""
    current = _locked(campaign, version)
    allowed = {
        Campaign.Status.PAUSED: {Campaign.Status.ACTIVE},
        Campaign.Status.ACTIVE: {Campaign.Status.PAUSED},
        Campaign.Status.ENDED: {Campaign.Status.ACTIVE, Campaign.Status.PAUSED},
    }
    if current.status not in allowed.get(Campaign.Status(status), set()):
        raise StaleCampaign(f"The campaign cannot go from {current.status} to {status}.")
    Campaign.objects.filter(pk=current.pk).update(status=status, version=current.version + 1)
    if status == Campaign.Status.ENDED:
        Occasion.objects.filter(campaign=current, status=Occasion.Status.OPEN).update(
            status=Occasion.Status.EXPIRED
        )
    record_event(by=by, action=f"campaign.{status}", detail={"campaign_id": current.pk})
