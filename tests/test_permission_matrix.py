"""The permission matrix: every route the URL resolver knows × every kind of visitor × her consent.

Visitors: nobody signed in; an associate and a manager of her store; an associate and a manager of
another store; an administrator; her own privacy-centre session; another customer's; and an API
token of another store. Her consent: active, withdrawn, or erased. Each route is requested by each
visitor in each state (every request in a savepoint rolled back after it, so none changes the next),
and two things are checked of every answer:

- **no leak**: her name, e-mail, phone or loyalty number, or what staff wrote about her, appear only
  where the route's family lets that visitor see her (``may_see``);
- **accounted for**: an answer that shows her data has recorded an audit event about her (a view of
  her, a listing that named her, or her own use of her privacy centre) during that very request.

A route missing from ``ROUTES`` fails the first test: adding a route means deciding who may see what.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.devices import enrol_device
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.services import LISTED
from consent.models import CodeChannel, DataExport
from consent.services import apply_choices
from consent.tokens import collection_point_token, export_token
from customer_site.privacy_session import issue_link
from customers.membership import membership_code
from identity.duplicates import queue_pair
from identity.merging import merge_customers
from identity.models import CustomerMerge, DuplicateCandidate
from integrations.services import issue_token
from occasions.models import Campaign, Kind, Occasion
from outreach.appointments import book_appointment
from outreach.looks import add_to_wishlist, create_look, look_token
from outreach.models import Appointment, Channel, Conversation, InboundMessage, Message, MessageTemplate, Use
from outreach.optout import unsubscribe_token
from privacy.erasure import erase_customer
from privacy.export import session_digest
from relationships.models import FollowUp, Note
from relationships.services import create_follow_up
from suggestions.models import Reason, Suggestion, SuggestionList
from tests.factories import (
    CollectionPointFactory,
    CustomerFactory,
    IdentifierFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
)
from tests.permission_routes import (
    ROLES,
    ROUTES,
    STATES,
    Route,
    all_routes,
    spec,
)
from tests.privacy.conftest import NEEDLES, build_subject, mentions

pytestmark = pytest.mark.django_db

OCCASION_ACTS = ("done", "call", "snooze", "dismiss")

# Her preferred name too (staff's lists show it): four letters, so as a word of its own and in its
# case; "zeph" anywhere, any case, turns up in a random CSRF token or CSP nonce about once in twenty
# runs of the matrix.
PREFERRED_NAME = re.compile(r"(?<![A-Za-z0-9+/=_-])Zeph(?![A-Za-z0-9+/=_-])")


def sighted(body: str) -> list[str]:
    return mentions(body, NEEDLES) + (["Zeph"] if PREFERRED_NAME.search(body) else [])


def test_every_route_is_in_the_matrix():
    missing = [f"{name} ({pattern})" for name, pattern in all_routes() if spec(name) is None]
    stale = sorted(set(ROUTES) - {name for name, _ in all_routes()})

    assert missing == [], "decide who may see what on these routes, in ROUTES"
    assert stale == [], "these routes are gone: take them out of ROUTES"


# --- Her world -------------------------------------------------------------------------------------


@dataclass
class World:
    her: Any
    clients: dict[str, Client]
    kwargs: dict[str, dict[str, Any]]  # route name -> URL kwargs
    values: dict[str, str]  # placeholders in routes' data


def build_world(grant: Callable[..., Any]) -> World:
    here = StoreFactory(code="london", name="London Marylebone", country="GB")
    there = StoreFactory(code="paris", name="Paris Marais", country="FR")
    associate = UserFactory(username="ava", first_name="Ava", stores=[here])
    manager = UserFactory(username="mona", first_name="Mona", role=Role.MANAGER, stores=[here])
    outsider = UserFactory(username="olga", first_name="Olga", stores=[there])
    outside_manager = UserFactory(username="max", first_name="Max", role=Role.MANAGER, stores=[there])
    admin = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    her = build_subject(by=associate, store=here, grant=grant).customer
    twin = CustomerFactory(given_name="Z.", family_name="Q.", home_store=here)
    grant(twin, store=here)
    queue_pair(her.pk, twin.pk, signals=["shared_phone"], note="matrix")
    merged = CustomerFactory(given_name="Old", family_name="Profile", home_store=here)
    merge_customers(survivor=her, merged=merged, kind=CustomerMerge.Kind.MANUAL, reason="matrix", by=manager)
    product = ProductFactory(name="Linen coat")
    Suggestion.objects.create(
        customer=her, product=product, list=SuggestionList.values[0], rank=1, score=1.0,
        reason=Reason.values[0], model_version="matrix", created_at=timezone.now(),
    )  # fmt: skip
    item = add_to_wishlist(customer=her, product_id=product.pk, by=associate, store=here)
    look = create_look(
        by=associate, customer=her, store=here, title="For the wedding", note="", product_ids=[product.pk]
    )
    appointment, _ = book_appointment(
        by=associate, customer=her, store=here, associate=associate,
        starts_at=timezone.now() + timedelta(days=2), duration=timedelta(hours=1),
        purpose=Appointment.Purpose.FITTING, note="", product_ids=[],
    )  # fmt: skip
    now = timezone.now()
    message = Message.objects.create(
        customer=her, store=here, sent_by=associate, use=Use.OUTREACH, channel=Channel.EMAIL,
        subject="The coat is in", body="Dear Zephyrine", status=Message.Status.QUEUED,
        send_after=now + timedelta(days=1), created_at=now,
    )  # fmt: skip
    template = MessageTemplate.objects.filter(store__isnull=True).first() or MessageTemplate.objects.create(
        use=Use.OUTREACH, language="en", name="Hello", body="Hello {first_name}"
    )
    point = CollectionPointFactory(store=here, code="till-1", name="Till 1")
    device = enrol_device(by=manager, store=here, name="Till 1").device
    _, api_secret = issue_token(name="Paris till", resources=["customers", "orders"], stores=[there])

    clients = {role: Client() for role in ROLES}
    for role, user in {
        "associate_here": associate, "associate_elsewhere": outsider, "manager_here": manager,
        "manager_elsewhere": outside_manager, "admin": admin,
    }.items():  # fmt: skip
        clients[role].force_login(user)
    sign_in_to_privacy_centre(clients["her_session"], her)
    other = CustomerFactory(given_name="Other", family_name="Person", home_store=there)
    IdentifierFactory(customer=other, kind="email", value="other@example.com")
    sign_in_to_privacy_centre(clients["other_session"], other)
    clients["api_elsewhere"].defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_secret}"

    session = clients["her_session"].session["privacy_centre"]["id"]
    export = DataExport.objects.create(
        customer=her, requested_in=session_digest(session), status=DataExport.Status.READY,
        ready_at=now, expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    export.file.save(f"{export.token.hex}.zip", ContentFile(b"PK"), save=True)

    create_follow_up(by=associate, customer=her, store=here, title="Ring her", due_on=timezone.localdate())
    reply = InboundMessage.objects.create(
        store=here,
        customer=her,
        sender="+447457381946",
        channel=Channel.SMS,
        provider="sms",
        provider_message_id="SM-her",
        body="Keep it for Saturday",
        received_at=timezone.now(),
    )
    conversation = Conversation.objects.create(
        customer=her, store=here, created_at=reply.received_at, last_inbound_at=reply.received_at
    )
    stranger = Conversation.objects.create(
        store=here, sender="+447911123456", created_at=reply.received_at, last_inbound_at=reply.received_at
    )
    InboundMessage.objects.create(
        store=here, sender=stranger.sender, channel=Channel.SMS, provider="sms", provider_message_id="SM-who",
        body="Is my order in?", received_at=reply.received_at,
    )  # fmt: skip
    occasion = Occasion.objects.create(
        customer=her, store=here, kind=Kind.THANK_YOU, key="order:1", due_on=timezone.localdate(),
        expires_on=timezone.localdate(), created_at=timezone.now(),
    )  # fmt: skip
    campaign = Campaign.objects.create(
        name="Winter", channel="email", starts_on=timezone.localdate(), ends_on=timezone.localdate(),
        created_at=timezone.now(),
    )  # fmt: skip
    campaign.stores.set([here])
    note = Note.objects.filter(customer=her).first()
    follow_up = FollowUp.objects.filter(customer=her).first()
    pair = DuplicateCandidate.objects.get()
    merge = CustomerMerge.objects.get()
    mine = {"public_id": her.public_id}
    kwargs: dict[str, dict[str, Any]] = {
        name: mine
        for name, pattern in all_routes()
        if name.startswith("tablet:") and "<uuid:public_id>" in pattern
    }
    kwargs |= {
        "tablet:pin": {"user_id": associate.pk},
        "tablet:complete-follow-up": mine | {"follow_up_id": follow_up.pk},
        "tablet:card-form": mine | {"name": "size"},
        "tablet:suggestion-feedback": mine | {"product_id": product.pk, "kind": "like"},
        "tablet:cancel-message": mine | {"message_id": message.public_id},
        "tablet:inbox-read": {"conversation_id": conversation.pk},
        "tablet:inbox-done": {"conversation_id": conversation.pk},
        "tablet:inbox-assign": {"conversation_id": conversation.pk},
        "tablet:inbox-sender": {"conversation_id": stranger.pk},
        **{f"tablet:occasion-{act}": {"occasion_id": occasion.pk} for act in OCCASION_ACTS},
        "tablet:inbox-sender-search": {"conversation_id": stranger.pk},
        "tablet:inbox-link": {"conversation_id": stranger.pk},
        "tablet:wishlist-remove": mine | {"item_id": item.pk},
        "tablet:look": mine | {"look_id": look.public_id},
        "tablet:share-look": mine | {"look_id": look.public_id},
        "tablet:revoke-look": mine | {"look_id": look.public_id},
        "tablet:move-appointment": mine | {"appointment_id": appointment.public_id},
        "tablet:cancel-appointment": mine | {"appointment_id": appointment.public_id},
        "managers:decide-note": {"note_id": note.pk},
        "managers:staff-trail": {"user_id": associate.pk},
        "managers:customer-trail": mine,
        "managers:decide-pair": {"candidate_id": pair.pk},
        "managers:undo-merge": {"merge_id": merge.pk},
        "managers:edit-template": {"template_id": template.pk},
        "managers:campaign": {"campaign_id": campaign.pk},
        "managers:edit-campaign": {"campaign_id": campaign.pk},
        "managers:campaign-action": {"campaign_id": campaign.pk, "action": "launch"},
        "managers:revoke-device": {"public_id": device.public_id},
        "managers:unlock-staff": {"user_id": associate.pk},
        "managers:poster": {"point_id": point.pk},
        "customer_site:join": {"token": collection_point_token(point.pk)},
        "customer_site:membership": {"code": membership_code(her)},
        "customer_site:privacy-link": {"token": fresh_link(her)},
        "customer_site:privacy-download": {"token": export_token(export.token)},
        "customer_site:look": {"token": look_token(look)},
        "customer_site:look-item": {
            "token": look_token(look), "item_id": look.items.first().pk, "action": "like",
        },
        "customer_site:unsubscribe": {"token": unsubscribe_token(message)},
        "catalog:product-image": {"name": "missing.svg"},
    }  # fmt: skip
    kwargs |= admin_kwargs(her)
    values = {"membership": membership_code(her), "public_id": her.public_id}
    return World(her=her, clients=clients, kwargs=kwargs, values=values)


def sign_in_to_privacy_centre(client: Client, customer: Any) -> None:
    token = issue_link(customer, channel=CodeChannel.EMAIL).rsplit("/link/", 1)[1].strip("/")
    assert client.post(f"/me/link/{token}/").status_code == 302


def fresh_link(customer: Any) -> str:
    return issue_link(customer, channel=CodeChannel.EMAIL).rsplit("/link/", 1)[1].strip("/")


def admin_kwargs(her: Any) -> dict[str, dict[str, Any]]:
    """The admin's routes, each for a row of its model (hers where it is a customer's)."""
    found: dict[str, dict[str, Any]] = {}
    customer_type = ContentType.objects.get_for_model(her)
    for name, pattern in all_routes():
        if not name.startswith("admin:"):
            continue
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
        if "content_type_id" in params:
            found[name] = {"content_type_id": customer_type.pk, "object_id": her.pk}
        elif "app_label" in params:
            found[name] = {"app_label": "customers"}
        elif params & {"object_id", "id"}:
            model = _admin_model(name)
            row = model.objects.filter(customer=her).first() if _has_customer(model) else None
            row = her if model is type(her) else row or model.objects.first()
            found[name] = {(params & {"object_id", "id"}).pop(): row.pk if row else 1}
    return found


def _admin_model(name: str) -> Any:
    from django.contrib import admin

    for model, _ in admin.site._registry.items():
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return User


def _has_customer(model: Any) -> bool:
    return any(f.name == "customer" for f in model._meta.get_fields())


def apply_state(world: World, state: str) -> None:
    if state == "withdrawn":
        apply_choices(customer=world.her, wanted=[])
    elif state == "erased":
        erase_customer(world.her.pk)


# --- The matrix ------------------------------------------------------------------------------------


def may_see(route: Route, role: str, state: str) -> bool:
    if route.own:
        return role == "her_session" and state != "erased"
    if route.bearer:
        return state == "active"
    return role in route.staff and state == "active"


def request(world: World, name: str, route: Route, role: str) -> tuple[Any, bool]:
    """One request as ``role``, in a savepoint rolled back after it (cookies too): its response,
    and whether it recorded an audit event about her."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = world.clients[role]
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    url = (
        "/admin/no-such-page/"
        if name == "admin:None"
        else reverse(name, kwargs=world.kwargs.get(name) or None)
    )
    data = {key: str(value).format(**world.values) for key, value in route.data.items() if key != "_json"}
    with transaction.atomic():
        if "_json" in route.data:
            response = client.post(url, data="[]", content_type="application/json")
        elif route.method == "post":
            response = client.post(url, data)
        else:
            response = client.get(url, data)
        recorded = audited(world, last)
        transaction.set_rollback(True)
    client.cookies = SimpleCookie()
    for key, value in cookies.items():
        client.cookies[key] = value
    return response, recorded


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def audited(world: World, since: int) -> bool:
    """An audit event about her after event ``since``: hers, or a listing that named her."""
    events = AuditEvent.objects.filter(pk__gt=since)
    return events.filter(customer=world.her).exists() or any(
        world.her.pk in (detail or {}).get("shown", [])
        for detail in events.filter(action=LISTED).values_list("detail", flat=True)
    )


@pytest.mark.parametrize("state", STATES)
def test_no_visitor_sees_her_where_they_may_not_and_every_sight_of_her_is_audited(grant, state, settings):
    settings.SECURE_SSL_REDIRECT = False
    world = build_world(grant)
    apply_state(world, state)
    leaks, unaccounted, errors = [], [], []
    sightings: set[tuple[str, str]] = set()
    for name, _ in all_routes():
        route = spec(name)
        assert route is not None, name
        for role in ROLES:
            response, recorded = request(world, name, route, role)
            if response.status_code >= 500:
                errors.append(f"{name} as {role}: {response.status_code}")
                continue
            seen = sighted(body_of(response)) if response.status_code < 300 else []
            if seen:
                sightings.add((name, role))
            if seen and not may_see(route, role, state):
                leaks.append(f"{name} as {role} ({state}): {response.status_code} shows {seen}")
            elif seen and not recorded:
                unaccounted.append(f"{name} as {role} ({state}): shows her, no audit event")

    assert errors == []
    assert leaks == []
    assert unaccounted == []
    assert EXPECTED_SIGHTINGS[state] <= sightings, "the matrix must see her where she may be seen"


# Where she must be seen (so that the matrix is not passing by seeing nothing at all).
EXPECTED_SIGHTINGS = {
    "active": {
        ("tablet:card", "associate_here"), ("tablet:card", "manager_here"), ("tablet:card", "admin"),
        ("tablet:search", "associate_here"), ("tablet:my-day", "associate_here"),
        ("tablet:inbox", "associate_here"), ("tablet:inbox", "manager_here"),
        ("managers:notes-review", "manager_here"), ("customer_site:privacy", "her_session"),
        ("admin:customers_customer_change", "admin"),
    },
    "withdrawn": {("customer_site:privacy", "her_session")},
    "erased": set(),
}  # fmt: skip
