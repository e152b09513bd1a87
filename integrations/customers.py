"""Customers from the systems that know them (e-commerce accounts, CRM, loyalty), with identifiers.

A customer is keyed by her id in the sending system (``system`` + ``external_id``, stored as an
external identifier). If that id is new, her e-mail, phone or loyalty number may already name a
profile here, which she then gets; otherwise she is created (``source=api``). Identifiers are
normalised (the phone with her home store's country as the default region). When they belong to
several profiles, the same policy as for orders applies (``integrations.identity.unite``): profiles
named by a strong identifier are merged, the others queued for a manager's review, and an identifier
is never moved from one profile to another. Like every customer, she is invisible to staff until she
consents. Each creation and change is audited with field names, never values.
"""

from typing import Any

from rest_framework import serializers

from audit.services import record_event
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from customers.models import Customer, CustomerIdentifier, Source
from integrations.bulk import CREATED, UNCHANGED, UPDATED, BulkUpsertView, ItemRejected
from integrations.identity import Identifier, owners_of, unite
from integrations.models import ApiToken, Resource
from integrations.services import store_ids_of
from stores.models import Store

CONTACT_KINDS = (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.LOYALTY)


class CustomerItem(serializers.Serializer):
    system = serializers.SlugField(max_length=32, help_text="The sending system, e.g. web, crm, loyalty.")
    external_id = serializers.CharField(
        max_length=128, help_text="Her id in that system (the key, with system)."
    )
    given_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    locale = serializers.CharField(max_length=12, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, allow_blank=True)
    home_store = serializers.SlugField(
        max_length=32, required=False, allow_null=True, help_text="A store code."
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    loyalty = serializers.CharField(max_length=64, required=False, allow_blank=True)


PROFILE_FIELDS = ("given_name", "family_name", "locale", "country")


class CustomersView(BulkUpsertView):
    resource = Resource.CUSTOMERS
    item_serializer = CustomerItem
    schema_description = "Create or update customers and their identifiers, keyed by system + id."
    key_field = "external_id"

    def key_of(self, raw: Any) -> str | None:
        if isinstance(raw, dict) and raw.get("system") is not None and raw.get("external_id") is not None:
            return f"{raw['system']}/{raw['external_id']}"[:200]
        return None

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        allowed = store_ids_of(token)
        home = _home_store(item, allowed)
        region = (home.country if home else None) or item.get("country") or None
        key = (
            "external",
            item["system"],
            _normalised(IdentifierKind.EXTERNAL, item["external_id"], region, "external_id"),
        )
        contacts = [
            (kind, "", _normalised(kind, item[kind], region, kind))
            for kind in CONTACT_KINDS
            if item.get(kind, "").strip()
        ]
        identifiers: list[Identifier] = [key, *contacts]  # her id in the sending system first
        owners = owners_of(set(identifiers))
        anchor = next((owners[i] for i in identifiers if i in owners), None)
        customer = Customer.objects.select_related("home_store").get(pk=anchor) if anchor else None
        if customer is not None and allowed is not None and customer.home_store_id not in allowed:
            raise ItemRejected(
                {"external_id": ["This customer belongs to a store this token may not write."]}
            )
        status = UNCHANGED
        changed: list[str] = []
        if (profiles := len(set(owners.values()))) > 1:
            source = f"Customer record {item['system']}/{item['external_id']}"
            actor = f"integration:{token.prefix}"
            united = unite(identifiers, owners, allowed, actor, source=source, notes=self.notes)
            if customer is None or united != customer.pk:  # the merge kept the other profile
                customer = Customer.objects.select_related("home_store").get(pk=united)
            if len(set(owners.values())) < profiles:  # some were merged into her
                changed.append("merged")
        if customer is None:
            customer = Customer.objects.create(
                **{name: item.get(name, "") for name in PROFILE_FIELDS}, home_store=home, source=Source.API
            )
            status = CREATED
        else:
            for name in PROFILE_FIELDS:
                if name in item and item[name] != getattr(customer, name):
                    setattr(customer, name, item[name])
                    changed.append(name)
            if "home_store" in item and home != customer.home_store:
                customer.home_store = home
                changed.append("home_store")
            if fields := [name for name in changed if name != "merged"]:
                customer.save(update_fields=[*fields, "updated_at"])
        # Identifiers nobody has are added to her; one that is another profile's stays there (that
        # profile was merged into her just now, or is queued beside her for review).
        new = [i for i in identifiers if i not in owners]
        CustomerIdentifier.objects.bulk_create(
            CustomerIdentifier(customer=customer, kind=kind, namespace=namespace, value=value)
            for kind, namespace, value in new
        )
        changed += [f"identifier.{kind}" for kind, _, _ in new]
        if status == UNCHANGED and changed:
            status = UPDATED
        if status != UNCHANGED:
            record_event(
                by=None,
                actor_kind=f"integration:{token.prefix}",
                action="customer.created" if status == CREATED else "customer.updated",
                customer_id=customer.pk,
                store_id=customer.home_store_id,
                detail={"fields": sorted(set(changed)) if status == UPDATED else []},
            )
        return status, customer


def _normalised(kind: str, raw: str, region: str | None, field: str) -> str:
    try:
        return normalise(kind, raw, default_region=region)
    except InvalidIdentifier as error:
        raise ItemRejected({field: [str(error)]}) from error


def _home_store(item: dict[str, Any], allowed: set[int] | None) -> Store | None:
    code = item.get("home_store")
    if not code:
        if allowed is not None:
            raise ItemRejected(
                {"home_store": ["This token writes its stores' customers only: name the store."]}
            )
        return None
    store = Store.objects.filter(code=code).first()
    if store is None:
        raise ItemRejected({"home_store": ["No such store."]})
    if allowed is not None and store.pk not in allowed:
        raise ItemRejected({"home_store": ["This token may not write this store."]})
    return store
