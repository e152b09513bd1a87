"""Service episodes and staff through the API: create, re-send, update, partial failure, scope."""

import pytest

from accounts.models import Role, StoreMembership, User
from audit.models import AuditEvent
from customers.models import CustomerIdentifier
from sales.models import ServiceEpisode
from tests.factories import CustomerFactory, UserFactory
from tests.integrations.conftest import statuses

pytestmark = pytest.mark.django_db


def episode(external_id="ALT-1", **extra):
    return {
        "external_id": external_id,
        "kind": "alteration",
        "store": "london",
        "opened_at": "2026-11-20T10:00:00+00:00",
        "summary": "Shorten sleeves 1 cm",
        "customer": {"email": "Zoe@Example.com "},
        **extra,
    }


def test_an_episode_is_created_for_her_then_unchanged_then_updated(store, post, token_for) -> None:
    zoe = CustomerFactory()
    CustomerIdentifier.objects.create(customer=zoe, kind="email", value="zoe@example.com")
    token = token_for(["services"])

    assert statuses(post("service-episodes", [episode()], token=token)) == ["created"]
    assert statuses(post("service-episodes", [episode()], token=token)) == ["unchanged"]
    done = episode(status="done", closed_at="2026-11-22T16:00:00+00:00")
    assert statuses(post("service-episodes", [done], token=token)) == ["updated"]

    row = ServiceEpisode.objects.get()
    assert (row.customer, row.store, row.status) == (zoe, store, "done")
    assert AuditEvent.objects.filter(action="service_episode.upserted", customer=zoe).count() == 2


def test_bad_episodes_are_refused_one_by_one(store, post, token_for) -> None:
    response = post(
        "service-episodes",
        [
            episode("A"),
            episode("B", store="nowhere"),
            episode("C", closed_at="2026-11-19T10:00:00+00:00"),
            episode("D", product="NO-SUCH-SKU"),
            episode("E", customer={"phone": "not a phone"}),
        ],
        token=token_for(["services"]),
    )
    assert statuses(response) == ["created", "error", "error", "error", "error"]
    errors = [r.get("errors", {}) for r in response.json()["results"]]
    assert list(errors[1]) == ["store"]
    assert list(errors[2]) == ["closed_at"]
    assert list(errors[3]) == ["product"]
    assert list(errors[4]) == ["customer.phone"]
    assert list(ServiceEpisode.objects.values_list("external_id", flat=True)) == ["A"]


def test_a_store_token_writes_its_own_stores_episodes_only(store, other_store, post, token_for) -> None:
    london = token_for(["services"], stores=[store])
    paris = token_for(["services"], stores=[other_store])
    post("service-episodes", [episode()], token=london)

    response = post(
        "service-episodes",
        [
            episode("P-1", store="paris"),
            episode(store="paris"),  # London's episode, claimed for Paris
            episode("P-2", store="london"),
        ],
        token=paris,
    )

    assert statuses(response) == ["created", "error", "error"]
    assert ServiceEpisode.objects.get(external_id="ALT-1").store == store
    forbidden = post("service-episodes", [episode()], token=token_for(["orders"]))
    assert forbidden.status_code == 403


def staff(username="e1042", **extra):
    return {
        "username": username,
        "first_name": "Ava",
        "last_name": "Reed",
        "role": "associate",
        "stores": ["london"],
        **extra,
    }


def test_staff_are_created_moved_and_deactivated(store, other_store, post, token_for) -> None:
    token = token_for(["staff"])
    assert statuses(post("staff", [staff()], token=token)) == ["created"]
    assert statuses(post("staff", [staff()], token=token)) == ["unchanged"]
    user = User.objects.get(username="e1042")
    assert not user.has_usable_password()
    memberships = StoreMembership.objects.filter(user=user)
    assert list(memberships.values_list("store__code", "is_primary")) == [("london", True)]

    moved = staff(stores=["paris", "london"], role="manager")
    assert statuses(post("staff", [moved], token=token)) == ["updated"]
    user.refresh_from_db()
    assert user.role == Role.MANAGER
    assert dict(memberships.values_list("store__code", "is_primary")) == {"paris": True, "london": False}
    assert statuses(post("staff", [moved | {"is_active": False}], token=token)) == ["updated"]
    user.refresh_from_db()
    assert not user.is_active


def test_staff_scope_admins_and_bad_items(store, other_store, post, token_for) -> None:
    UserFactory(username="root", role=Role.ADMIN)
    paris_colleague = UserFactory(username="e2", role=Role.ASSOCIATE, stores=[other_store])
    london = token_for(["staff"], stores=[store])

    response = post(
        "staff",
        [
            staff("e1"),
            staff("root"),
            staff("e2"),  # works in Paris: not this token's to change
            staff("e3", stores=["paris"]),
            staff("e4", stores=["atlantis"]),
            staff("e5", role="admin"),
            staff("bad name!"),
        ],
        token=london,
    )

    assert statuses(response) == ["created", "error", "error", "error", "error", "error", "error"]
    assert User.objects.get(username="root").role == Role.ADMIN
    paris_only = StoreMembership.objects.filter(user=paris_colleague).values_list("store__code", flat=True)
    assert list(paris_only) == ["paris"]
    assert set(User.objects.values_list("username", flat=True)) == {"root", "e1", "e2"}
