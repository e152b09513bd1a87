"""The permission matrix's specification: every route the app serves, what it may show of her and to
whom, for ``tests/test_permission_matrix.py`` to check against each role and consent state."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = (
    "anonymous",
    "associate_here",
    "associate_elsewhere",
    "manager_here",
    "manager_elsewhere",
    "admin",
    "her_session",
    "other_session",
    "api_elsewhere",
)
STATES = ("active", "withdrawn", "erased")
HER_STAFF = frozenset({"associate_here", "manager_here", "admin"})
HER_MANAGERS = frozenset({"manager_here", "admin"})


@dataclass(frozen=True)
class Route:
    """What a route may show of her, and to whom: ``staff`` see her while she consents; ``own`` is
    her privacy centre, hers while it exists (withdrawn too); ``bearer`` is a link she was sent,
    whoever holds it, while she consents."""

    method: str = "get"
    staff: frozenset[str] = frozenset()
    own: bool = False
    bearer: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    args: tuple[str, ...] = ()


def tablet(method: str = "get", **data: Any) -> Route:
    return Route(method=method, staff=HER_STAFF, data=data)


def managers(method: str = "get", **data: Any) -> Route:
    return Route(method=method, staff=HER_MANAGERS, data=data)


NOTHING = Route()  # shows her to no one
ROUTES: dict[str, Route] = {
    "healthz": NOTHING,
    "livez": NOTHING,
    "metrics": NOTHING,  # 404 without METRICS_TOKEN, then 401 without it: never anything of hers
    "set_language": Route(method="post", data={"language": "fr", "next": "/"}),
    # The tablet
    "tablet:my-day": tablet(),
    "tablet:login": NOTHING,
    "tablet:logout": Route(method="post"),
    "tablet:switch": NOTHING,
    "tablet:pin": Route(method="post", data={"pin": "0000"}),
    "tablet:lock": Route(method="post"),
    "tablet:store": NOTHING,
    "tablet:change-pin": NOTHING,
    "tablet:search": tablet("post", q="1946"),  # her phone's last digits, not themselves a detail
    "tablet:scan": tablet("post", code="{membership}"),
    "tablet:card": tablet(),
    "tablet:card-form": tablet(),
    "tablet:add-note": tablet("post", body="Prefers linen"),
    "tablet:add-size": tablet("post"),
    "tablet:add-preference": tablet("post"),
    "tablet:add-date": tablet("post"),
    "tablet:add-follow-up": tablet("post"),
    "tablet:complete-follow-up": tablet("post"),
    "tablet:log-interaction": tablet("post"),
    "tablet:suggestion-feedback": tablet("post"),
    "tablet:compose": tablet(),
    "tablet:send": tablet("post"),
    "tablet:cancel-message": tablet("post"),
    "tablet:wishlist-add": tablet("post"),
    "tablet:wishlist-search": tablet(q="coat"),
    "tablet:wishlist-remove": tablet("post"),
    "tablet:new-look": tablet(),
    "tablet:look": tablet(),
    "tablet:share-look": tablet("post"),
    "tablet:revoke-look": tablet("post"),
    "tablet:book": tablet(),
    "tablet:move-appointment": tablet(),
    "tablet:cancel-appointment": tablet("post"),
    "tablet:day": tablet(),
    # The managers' pages
    "managers:dashboard": managers(),
    "managers:notes-review": managers(),
    "managers:decide-note": managers("post"),
    "managers:books": managers(),
    "managers:assign": managers("post"),
    "managers:hand-over-book": managers("post"),
    "managers:access-review": managers(),
    "managers:staff-trail": managers(),
    "managers:customer-trail": managers(),
    "managers:duplicates": managers(),
    "managers:decide-pair": managers("post"),
    "managers:undo-merge": managers("post"),
    "managers:templates": managers(),
    "managers:new-template": managers(),
    "managers:edit-template": managers(),
    "managers:messages": managers(),
    "managers:devices": managers(),
    "managers:enrol-device": managers("post"),
    "managers:revoke-device": managers("post"),
    "managers:unlock-staff": managers("post"),
    "managers:posters": managers(),
    # Campaigns: counts per store and associate, never a customer's name
    "managers:campaigns": managers(),
    "managers:new-campaign": managers(),
    "managers:campaign": managers(),
    "managers:campaign-action": managers("post", version="1"),
    "managers:edit-campaign": managers(),
    "managers:poster": managers(),
    # Customers' pages
    "webhooks:sms-reply": Route(method="post", data={"From": "+447457381946", "Body": "STOP"}),
    "tablet:inbox": tablet(),
    "tablet:inbox-unread": NOTHING,  # a count
    "tablet:inbox-read": tablet("post"),
    "tablet:inbox-done": tablet("post"),
    "tablet:inbox-assign": tablet("post"),
    "tablet:thread-read": tablet("post"),
    # Her occasions on My day, closed or put off
    "tablet:occasion-done": tablet("post"),
    "tablet:occasion-call": tablet("post"),
    "tablet:occasion-snooze": tablet("post", days="3"),
    "tablet:occasion-dismiss": tablet("post", reason="already"),
    # An unknown sender's messages (not hers), the search to find her, and linking them to her
    "tablet:inbox-sender": tablet(),
    "tablet:inbox-sender-search": tablet("post", q="1946"),
    "tablet:inbox-link": tablet("post", customer="{public_id}", save_number="1"),
    "webhooks:sms-status": Route(method="post", data={"id": "SM1", "status": "delivered"}),
    "webhooks:whatsapp-events": Route(method="post", data={"object": "whatsapp_business_account"}),
    "webhooks:mail-inbound": Route(method="post", data={"sender": "zoe@example.com", "body-plain": "Yes"}),
    "customer_site:join-assisted": NOTHING,
    "customer_site:verify": Route(method="post"),
    "customer_site:resend": Route(method="post"),
    "customer_site:done": NOTHING,
    "customer_site:join": NOTHING,
    "customer_site:membership": Route(bearer=True),
    "customer_site:privacy": Route(own=True),
    "customer_site:privacy-sign-in": Route(
        method="post", data={"contact": "Zephyrine.Quillfeather@example.org"}
    ),
    "customer_site:privacy-link": Route(method="post"),
    "customer_site:privacy-profile": Route(method="post", own=True),
    "customer_site:privacy-choices": Route(method="post", own=True),
    "customer_site:privacy-export": Route(method="post", own=True),
    "customer_site:privacy-export-status": Route(own=True),
    "customer_site:privacy-download": Route(own=True),
    "customer_site:privacy-erase": Route(method="post", own=True),
    "customer_site:privacy-sign-out": Route(method="post"),
    "customer_site:look": Route(bearer=True),
    "customer_site:look-item": Route(method="post", bearer=True),
    "customer_site:unsubscribe": Route(bearer=True),
    "catalog:product-image": NOTHING,  # a product's picture: no one's data
    "customer_site:hand-over": Route(method="post"),
    "customer_site:hand-over-leave": Route(method="post", data={"pin": "0000"}),
    # The integration API: it writes, and answers nothing about customers
    **{
        f"api:{name}": Route(method="post", data={"_json": []})
        for name in (
            "stores",
            "categories",
            "products",
            "stock",
            "customers",
            "orders",
            "returns",
            "service-episodes",
            "staff",
        )
    },
    "api:schema": NOTHING,
    "api:docs": NOTHING,
}
ADMIN = Route(staff=frozenset({"admin"}))  # every admin: route; only administrators see her


def all_routes(*, as_resolved: bool = False) -> list[tuple[str, str]]:
    """(name, pattern) of every route the resolver knows; an unnamed one is ``namespace:None``, or
    with ``as_resolved`` its view's dotted path, as a request's ``resolver_match.view_name`` says."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = entry.name or (entry.lookup_str if as_resolved else None)
                yield namespace + str(name), prefix + str(entry.pattern)

    return list(walk(get_resolver().url_patterns, "", ""))


def spec(name: str) -> Route | None:
    return ADMIN if name.startswith("admin:") else ROUTES.get(name)
