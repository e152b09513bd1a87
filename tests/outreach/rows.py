"""A customer's outreach rows made through the services (a look, a wishlist item, an appointment,
messages, a reply and her conversation), for the tests of where they go with her."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from customers.models import Customer
from outreach.appointments import book_appointment
from outreach.looks import add_to_wishlist, create_look, mark_item
from outreach.models import Appointment, Channel, Conversation, InboundMessage, Message, Use
from stores.models import Store


def message_of(customer: Customer, store: Store, by: User, body: str, **extra: object) -> Message:
    now = timezone.now()
    return Message.objects.create(
        customer=customer,
        store=store,
        sent_by=by,
        use=Use.OUTREACH,
        channel=Channel.EMAIL,
        subject="The coat is in",
        body=body,
        status=Message.Status.SENT,
        send_after=now,
        sent_at=now,
        created_at=now,
        **extra,
    )


def appointment_of(
    customer: Customer, store: Store, associate: User, products: list[Product], *, days: int = 2
):
    appointment, _ = book_appointment(
        by=associate,
        customer=customer,
        store=store,
        associate=associate,
        starts_at=timezone.now() + timedelta(days=days),
        duration=timedelta(hours=1),
        purpose=Appointment.Purpose.FITTING,
        note="Try the coat in two sizes",
        product_ids=[p.pk for p in products],
    )
    return appointment


def outreach_of(
    customer: Customer, store: Store, associate: User, products: dict[str, Product], *, days: int = 2
) -> dict[str, Any]:
    """A look (one product liked), a wishlist item, an appointment and two messages, through the services."""
    look = create_look(
        by=associate,
        customer=customer,
        store=store,
        title="For the wedding",
        note=f"{customer.given_name}, these go together",
        product_ids=[products["coat"].pk, products["scarf"].pk],
    )
    mark_item(look=look, item_id=look.items.get(product=products["coat"]).pk, liked=True)
    wished = add_to_wishlist(customer=customer, product_id=products["belt"].pk, by=associate, store=store)
    appointment = appointment_of(customer, store, associate, [products["coat"]], days=days)
    messages = [
        message_of(customer, store, associate, f"Dear {customer.given_name}, a look for you", look=look),
        message_of(customer, store, associate, "See you on Friday", appointment=appointment),
    ]
    reply = InboundMessage.objects.create(
        store=store,
        customer=customer,
        sender=f"+4479111{customer.pk:05d}",
        channel=Channel.SMS,
        provider="sms",
        provider_message_id=f"SM-{customer.pk}",
        body=f"Thanks, it's {customer.given_name} — keep it for Saturday",
        received_at=timezone.now(),
    )
    conversation = Conversation.objects.create(customer=customer, store=store, created_at=timezone.now())
    return {
        "look": look,
        "wished": wished,
        "appointment": appointment,
        "messages": messages,
        "reply": reply,
        "conversation": conversation,
    }
