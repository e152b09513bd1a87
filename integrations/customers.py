"""Customers from the systems that know them (e-commerce accounts, CRM, loyalty), with identifiers.

A customer is keyed by her id in the sending system (``system`` + ``external_id``, stored as an
external identifier). If that id is new, her e-mail, phone or loyalty number may already name a
profile here, which she then gets; otherwise she is created (``source=api``). Identifiers are
normalised (the phone with her home store's country as the default region). When they belong to
several profiles, the same policy as for orders applies (``identity.resolution``): profiles
named by a strong identifier are merged, the others queued for a manager's review, and an identifier
is never moved from one profile to another. Like every customer, she is invisible to staff until she
consents. Each creation and change is audited with field names, never values. A store-scoped token
may write its stores' customers only; a record naming another store's is declined, and the token is
told the same as for any other valid record (``BulkView.status_discloses``).
"""

from typing import Any

from rest_framework import serializers

from common.upsert import Refused
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from identity.resolution import RECORD_FIELDS, write_customer_record
from integrations.bulk import BulkUpsertView
from integrations.models import ApiToken, Resource
from integrations.services import store_ids_of
from stores.models import Store
from stores.selectors import store_by_code

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


class CustomersView(BulkUpsertView):
    resource = Resource.CUSTOMERS
    item_serializer = CustomerItem
    schema_description = (
        "Create or update customers and their identifiers, keyed by system + id. A token limited to "
        "some stores is told `accepted` for every valid record: whether she was new, known, or a "
        "customer of another store (whose record it may not change) is not its to know."
    )
    key_field = "external_id"
    status_discloses = True

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
        profile = {name: item[name] for name in RECORD_FIELDS if name in item and name != "home_store"}
        if "home_store" in item:
            profile["home_store"] = home
        return write_customer_record(
            label=f"Customer record {item['system']}/{item['external_id']}",
            identifiers=[key, *contacts],  # her id in the sending system first
            profile=profile,
            store_ids=allowed,
            actor_kind=f"integration:{token.prefix}",
            notes=self.notes,
        )


def _normalised(kind: str, raw: str, region: str | None, field: str) -> str:
    try:
        return normalise(kind, raw, default_region=region)
    except InvalidIdentifier as error:
        raise Refused({field: [str(error)]}) from error


def _home_store(item: dict[str, Any], allowed: set[int] | None) -> Store | None:
    code = item.get("home_store")
    if not code:
        if allowed is not None:
            raise Refused({"home_store": ["This token writes its stores' customers only: name the store."]})
        return None
    store = store_by_code(code)
    if store is None:
        raise Refused({"home_store": ["No such store."]})
    if allowed is not None and store.pk not in allowed:
        raise Refused({"home_store": ["This token may not write this store."]})
    return store
