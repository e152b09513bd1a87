"""Everything held about one customer, as she sees it in her privacy centre and downloads it.

One function builds it for both, so the page and the download never disagree. It leaves out other
people's data: no associate is named (notes, tasks, contacts, messages, looks and appointments show
the store, a wishlist item says whether she or an associate added it, and views show the store and
the viewer's role).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.models import AuditEvent
from consent.models import ConsentEvent
from consent.purposes import choice_text
from customers.models import Customer, CustomerIdentifier, ImportantDate, Preference, Size
from customers.services.profiles import profiles_of
from outreach.models import Appointment, Look, Message, WishlistItem
from relationships.models import FollowUp, Interaction, Note
from sales.models import Order, OrderLine, Return, ServiceEpisode
from suggestions.models import Suggestion

SCHEMA_VERSION = 1

# Audit actions that mean someone looked at her data, as shown in "who viewed my profile".
VIEW_ACTIONS = {"customer.viewed": gettext_lazy("Opened your profile")}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def subject_data(customer: Customer, *, recent: int | None = None) -> dict[str, Any]:
    """Plain JSON-ready data; lists are newest first.

    ``recent`` keeps only that many of the newest orders, messages and profile views (the privacy
    centre's page, which says how many there are in all: ``order_count``, ``message_count``,
    ``access_count``); the download has all.
    """
    # She and every profile merged into her: what a merge left behind (a clashing size, the ledger,
    # views of the profile before the merge) is hers too.
    ids = profiles_of(customer.pk)
    views = AuditEvent.objects.filter(customer_id__in=ids, action__in=VIEW_ACTIONS)
    messages = Message.objects.filter(customer_id__in=ids)
    return {
        "schema_version": SCHEMA_VERSION,
        "profile": {
            "id": str(customer.public_id),
            "given_name": customer.given_name,
            "family_name": customer.family_name,
            "preferred_name": customer.preferred_name,
            "birth_date": _iso(customer.birth_date),
            "language": customer.locale,
            "country": customer.country,
            "home_store": customer.home_store.name if customer.home_store else None,
            "created_at": _iso(customer.created_at),
        },
        "identifiers": [
            {
                "kind": i.kind,
                "value": i.value,
                "primary": i.is_primary,
                "verified_at": _iso(i.verified_at),
            }
            for i in CustomerIdentifier.objects.filter(customer_id__in=ids)
            .exclude(kind="external")
            .order_by("kind", "-is_primary", "pk")
        ],
        "preferences": [
            {
                "kind": p.kind,
                "likes": p.likes,
                "what": p.brand.name if p.brand else p.category.name if p.category else p.value,
            }
            for p in Preference.objects.filter(customer_id__in=ids).select_related("brand", "category")
        ],
        "sizes": [
            {"category": s.category.name, "size": s.size, "fit_note": s.fit_note}
            for s in Size.objects.filter(customer_id__in=ids).select_related("category")
        ],
        "important_dates": [
            {"kind": d.kind, "label": d.label, "month": d.month, "day": d.day, "year": d.year}
            for d in ImportantDate.objects.filter(customer_id__in=ids).order_by("month", "day")
        ],
        "notes": [
            {"written_at": _iso(n.created_at), "store": n.store.name if n.store else None, "text": n.body}
            for n in Note.objects.filter(customer_id__in=ids).select_related("store").order_by("-created_at")
        ],
        "follow_ups": [
            {"title": f.title, "due_on": _iso(f.due_on), "status": f.status, "store": f.store.name}
            for f in FollowUp.objects.filter(customer_id__in=ids).select_related("store").order_by("-due_on")
        ],
        "contacts": [
            {
                "kind": i.kind,
                "at": _iso(i.occurred_at),
                "store": i.store.name if i.store else None,
                "summary": i.summary,
            }
            for i in Interaction.objects.filter(customer_id__in=ids)
            .select_related("store")
            .order_by("-occurred_at")
        ],
        "orders": _orders(ids, recent),
        "returns": [
            {
                "id": r.external_id,
                "returned_at": _iso(r.returned_at),
                "store": r.store.name if r.store else None,
                "reason": r.reason,
                "refund": _money(r.refund_amount),
            }
            for r in Return.objects.filter(customer_id__in=ids)
            .select_related("store")
            .order_by("-returned_at")
        ],
        "services": [
            {
                "kind": s.kind,
                "status": s.status,
                "opened_at": _iso(s.opened_at),
                "closed_at": _iso(s.closed_at),
                "store": s.store.name if s.store else None,
                "summary": s.summary,
            }
            for s in ServiceEpisode.objects.filter(customer_id__in=ids)
            .select_related("store")
            .order_by("-opened_at")
        ],
        "consent_history": [
            {
                "purpose": e.purpose_id,
                "purpose_text": choice_text(e.purpose_id)[0],
                "granted": e.granted,
                "at": _iso(e.occurred_at),
                "method": e.method,
                "verification": e.verification,
                "store": e.store.name if e.store else None,
                "policy_version": e.policy_version.version,
                "policy_language": e.policy_version.language,
                "policy_text_sha256": e.policy_version.text_hash,
                "receipt": str(e.receipt_id),
            }
            for e in ConsentEvent.objects.filter(customer_id__in=ids)
            .select_related("store", "policy_version")
            .order_by("-occurred_at", "-pk")
        ],
        "suggestions": [
            {
                "list": s.list,
                "rank": s.rank,
                "product": s.product.name,
                "reason": s.reason,
                "computed_at": _iso(s.created_at),
                "model_version": s.model_version,
            }
            for s in Suggestion.objects.filter(customer_id__in=ids)
            .select_related("product")
            .order_by("list", "rank")
        ],
        "messages": [
            {
                "channel": m.channel,
                "use": m.use,
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "written_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "store": m.store.name if m.store else None,
            }
            for m in messages.select_related("store").order_by("-created_at", "-pk")[:recent]
        ],
        "looks": [
            {
                "title": look.title,
                "note": look.note,
                "made_at": _iso(look.created_at),
                "store": look.store.name if look.store else None,
                "products": [
                    {
                        "product": item.product.name,
                        "liked": item.liked_at is not None,
                        "liked_at": _iso(item.liked_at),
                    }
                    for item in look.items.all()
                ],
            }
            for look in Look.objects.filter(customer_id__in=ids)
            .select_related("store")
            .prefetch_related("items__product")
            .order_by("-created_at", "-pk")
        ],
        "wishlist": [
            {
                "product": w.product.name,
                "size": w.size,
                "added_at": _iso(w.created_at),
                "added_by": w.added_via,
                "store": w.store.name if w.store else None,
            }
            for w in WishlistItem.objects.filter(customer_id__in=ids)
            .select_related("product", "store")
            .order_by("-created_at", "-pk")
        ],
        "appointments": [
            {
                "store": a.store.name,
                "starts_at": _iso(a.starts_at),
                "ends_at": _iso(a.ends_at),
                "purpose": a.purpose,
                "status": a.status,
                "note": a.note,
                "cancel_reason": a.cancel_reason,
                "products": sorted(p.name for p in a.products.all()),
            }
            for a in Appointment.objects.filter(customer_id__in=ids)
            .select_related("store")
            .prefetch_related("products")
            .order_by("-starts_at", "-pk")
        ],
        "access_log": [
            {
                "at": _iso(a.occurred_at),
                "what": str(VIEW_ACTIONS[a.action]),
                "store": a.store.name if a.store else None,
                "role": Role(a.actor.role).label if a.actor else None,
            }
            for a in views.select_related("store", "actor").order_by("-occurred_at", "-pk")[:recent]
        ],
        **(
            {}
            if recent is None
            else {
                "order_count": Order.objects.filter(customer_id__in=ids).count(),
                "message_count": messages.count(),
                "access_count": views.count(),
            }
        ),
    }


def _orders(ids: list[int], recent: int | None) -> list[dict[str, Any]]:
    newest = Order.objects.filter(customer_id__in=ids).order_by("-placed_at", "-pk")[:recent]
    orders = list(newest.select_related("store"))
    lines: dict[int, list[dict[str, Any]]] = {}
    in_orders = {"order__customer_id__in": ids} if recent is None else {"order__in": [o.pk for o in orders]}
    for line in (
        OrderLine.objects.filter(**in_orders)
        .select_related("product", "variant")
        .order_by("order_id", "line_number")
    ):
        lines.setdefault(line.order_id, []).append(
            {
                "sku": line.variant.sku if line.variant else line.product.sku,
                "product": line.product.name,
                "colour": line.variant.colour if line.variant else "",
                "size": line.variant.size if line.variant else "",
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
            }
        )
    return [
        {
            "id": o.external_id,
            "channel": o.channel,
            "placed_at": _iso(o.placed_at),
            "store": o.store.name if o.store else None,
            "currency": o.currency,
            "total": _money(o.total_amount),
            "lines": lines.get(o.pk, []),
        }
        for o in orders
    ]
