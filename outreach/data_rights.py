"""Messages, looks, wishlists and appointments under her data rights (see ``common.data_rights``).
Her download names no associate: messages, looks and appointments show the store, and a wishlist item
says whether she or an associate added it."""

from typing import Any

from common.data_rights import (
    Delete,
    Follows,
    InSection,
    Move,
    NotExported,
    Section,
    Subject,
    iso,
    register,
)
from outreach.models import Appointment, Conversation, InboundMessage, Look, LookItem, Message, WishlistItem

AppointmentProduct = Appointment.products.through


def register_data_rights() -> None:
    register(
        Message,
        export=Section(
            "messages",
            _messages,
            total=lambda subject: Message.objects.filter(customer_id__in=subject.ids).count(),
            total_as="message_count",
        ),
        erase=Delete(),
        merge=Move(),
    )
    register(
        InboundMessage,
        export=Section(
            "replies",
            _replies,
            total=lambda subject: InboundMessage.objects.filter(customer_id__in=subject.ids).count(),
            total_as="reply_count",
        ),
        erase=Delete(),
        merge=Move(),
    )
    register(
        Conversation,
        export=NotExported(
            "The inbox's bookkeeping (which associate answers, done or not, read up to when); what was "
            "said both ways is in 'messages' and 'replies'."
        ),
        erase=Delete(),
        # One per customer and store: where the survivor has one with that store, the merged
        # profile's stays behind (and goes with it); her replies move to the survivor either way.
        merge=Move(unique_per_customer=("{t}.store_id",)),
    )
    register(Look, export=Section("looks", _looks), erase=Delete(), merge=Move())
    register(
        LookItem, export=InSection("looks"), erase=Delete(of=("look__customer_id",)), merge=Follows(Look)
    )
    register(
        WishlistItem,
        export=Section("wishlist", _wishlist),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.product_id",)),
    )
    register(Appointment, export=Section("appointments", _appointments), erase=Delete(), merge=Move())
    register(
        AppointmentProduct,
        export=InSection("appointments"),
        erase=Delete(of=("appointment__customer_id",)),
        merge=Follows(Appointment),
    )


def _messages(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "channel": m.channel,
            "use": m.use,
            "subject": m.subject,
            "body": m.body,
            "status": m.status,
            "written_at": iso(m.created_at),
            "sent_at": iso(m.sent_at),
            "delivered_at": iso(m.delivered_at),
            "read_at": iso(m.read_at),
            "store": m.store.name if m.store else None,
        }
        for m in Message.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-created_at", "-pk")[: subject.recent]
    ]


def _replies(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "channel": r.channel,
            "from": r.sender,
            "subject": r.subject,
            "body": r.body,
            "sent_at": iso(r.sent_at),
            "received_at": iso(r.received_at),
            "store": r.store.name,
            "withdrew_consent": r.is_opt_out,
        }
        for r in InboundMessage.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-received_at", "-pk")[: subject.recent]
    ]


def _looks(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "title": look.title,
            "note": look.note,
            "made_at": iso(look.created_at),
            "store": look.store.name if look.store else None,
            "products": [
                {
                    "product": item.product.name,
                    "liked": item.liked_at is not None,
                    "liked_at": iso(item.liked_at),
                }
                for item in look.items.all()
            ],
        }
        for look in Look.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .prefetch_related("items__product")
        .order_by("-created_at", "-pk")
    ]


def _wishlist(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "product": w.product.name,
            "size": w.size,
            "added_at": iso(w.created_at),
            "added_by": w.added_via,
            "store": w.store.name if w.store else None,
        }
        for w in WishlistItem.objects.filter(customer_id__in=subject.ids)
        .select_related("product", "store")
        .order_by("-created_at", "-pk")
    ]


def _appointments(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "store": a.store.name,
            "starts_at": iso(a.starts_at),
            "ends_at": iso(a.ends_at),
            "purpose": a.purpose,
            "status": a.status,
            "note": a.note,
            "cancel_reason": a.cancel_reason,
            "products": sorted(p.name for p in a.products.all()),
        }
        for a in Appointment.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .prefetch_related("products")
        .order_by("-starts_at", "-pk")
    ]
