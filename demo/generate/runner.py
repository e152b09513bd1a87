"""The whole seed, phase by phase, in one transaction: a failure leaves nothing half-written."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import connection, models, transaction

from accounts.models import StoreMembership, User
from catalog.models import Brand, Category, Product, ProductVariant, StockLevel
from common import copy as cp
from consent.models import ConsentEvent, ConsentState, PolicyVersion
from customers.models import Customer, CustomerIdentifier, ImportantDate, Preference, Size, StoreRelationship
from customers.services import compute_value_tiers
from demo.generate.aftersales import write_returns, write_services
from demo.generate.baskets import draw_lines, order_totals, write_lines
from demo.generate.calendar import build_calendar
from demo.generate.catalogue import build_catalogue
from demo.generate.common import Bar, Progress, Window, no_progress, rng_for
from demo.generate.consent import plan_consent, refresh_states, write_consent
from demo.generate.customers import draw_population, write_customers
from demo.generate.feedback import write_feedback
from demo.generate.identifiers import draw_contacts, write_identifiers
from demo.generate.orders import draw_orders, write_orders
from demo.generate.outreach import write_outreach
from demo.generate.relationships import write_client_book, write_profiles
from demo.generate.staff import build_staff
from demo.generate.stores import STORES, build_stores
from relationships.models import FollowUp, Interaction, Note
from sales.models import Order, OrderLine, Return, ReturnLine, ServiceEpisode
from sales.services import refresh_store_relationships
from stores.models import CollectionPoint, Store

# Every table the seed fills, in the order the summary lists them.
SEEDED_MODELS: tuple[type[models.Model], ...] = (
    Store, CollectionPoint, User, StoreMembership, Category, Brand, Product, ProductVariant, StockLevel,
    Customer, CustomerIdentifier, Order, OrderLine, Return, ReturnLine, ServiceEpisode, PolicyVersion,
    ConsentEvent, ConsentState, StoreRelationship, Size, Preference, ImportantDate, Note, FollowUp,
    Interaction,
)  # fmt: skip


# The big tables, loaded without their plain indexes (rebuilt once at the end).
BULK_MODELS: tuple[type[models.Model], ...] = (
    StockLevel, Customer, CustomerIdentifier, Order, OrderLine, Return, ReturnLine, ServiceEpisode,
    ConsentEvent,
)  # fmt: skip


class DemoDataExists(RuntimeError):
    """The demo stores are already there; seeding again would clash with them."""


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)  # rows per table after seeding
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    copy_seconds: dict[str, float] = field(default_factory=dict)  # time spent writing each table
    skipped_users: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def seed(
    *,
    customers: int,
    seed: int = 42,
    today: date,
    progress: Progress = no_progress,
    catalogue_scale: float = 1.0,
    pictures: Path | None = None,
) -> SeedReport:
    """Fill the database with a department store's two years of demo data, the same for the same
    arguments (ids included) when it starts from the same database state; the products' pictures
    are drawn into ``pictures`` if given (their URLs are set either way)."""
    if customers < 1:
        raise ValueError("customers must be at least 1")
    report = SeedReport()
    started = time.perf_counter()
    with transaction.atomic():
        taken = Store.objects.filter(code__in=[s.code for s in STORES]).values_list("code", flat=True)
        if taken:
            raise DemoDataExists(f"Demo stores already exist ({', '.join(sorted(taken))}).")
        _load(
            report,
            progress,
            customers=customers,
            seed=seed,
            today=today,
            catalogue_scale=catalogue_scale,
            pictures=pictures,
        )
        commit_started = time.perf_counter()
    report.phases["commit"] = time.perf_counter() - commit_started
    report.counts = count_rows()
    report.elapsed = time.perf_counter() - started
    return report


def _load(
    report: SeedReport,
    progress: Progress,
    *,
    customers: int,
    seed: int,
    today: date,
    catalogue_scale: float,
    pictures: Path | None,
) -> None:
    writer = cp.CopyWriter()
    window = Window(today=today)
    checks_skipped = cp.skip_foreign_key_checks()
    indexes = cp.drop_secondary_indexes(BULK_MODELS)

    with _phase(report, progress, "stores & staff") as bar:
        stores = build_stores(writer, bar, window)
        staff = build_staff(writer, bar, window, stores, seed)
        report.skipped_users = staff.skipped
        calendar = build_calendar(window, stores)
    with _phase(report, progress, "catalogue") as bar:
        catalogue = build_catalogue(writer, bar, window, stores.ids, seed, catalogue_scale, pictures)
    with _phase(report, progress, "customers") as bar:
        rng = rng_for(seed, "customers")
        people = draw_population(rng, customers, stores, catalogue, window, seed)
        write_customers(writer, bar, people, stores, rng)
        contacts = draw_contacts(rng, people)
        plan = plan_consent(rng_for(seed, "consent"), people, contacts, calendar, staff)
        write_identifiers(
            writer, bar, people, contacts, stores, plan.verified_email_at(), plan.verified_phone_at(), rng
        )
    with _phase(report, progress, "orders") as bar:
        rng = rng_for(seed, "orders")
        orders = draw_orders(rng, people, catalogue, calendar)
        lines = draw_lines(rng, orders, people, catalogue, calendar)
        write_orders(writer, bar, orders, order_totals(lines, orders.count), people, calendar)
        write_lines(writer, bar, lines, orders, catalogue)
    with _phase(report, progress, "returns & service") as bar:
        rng = rng_for(seed, "aftersales")
        returned = write_returns(writer, bar, rng, lines, orders, people, catalogue, calendar)
        write_services(writer, bar, rng, lines, orders, people, catalogue, calendar, returned)
    with _phase(report, progress, "consent ledger") as bar:
        write_consent(writer, bar, plan, people, calendar, rng_for(seed, "consent-ledger"))
    with _phase(report, progress, "associates' notes") as bar:
        rng = rng_for(seed, "relationships")
        write_profiles(writer, bar, rng, people, plan, catalogue, stores, staff, window)
    with _phase(report, progress, "indexes & statistics"):
        cp.create_indexes(indexes)
        tables = ", ".join(cp.quote(model._meta.db_table) for model in SEEDED_MODELS)
        with connection.cursor() as cursor:
            # Fresh statistics, so the refreshes below and the demo's first queries plan well.
            cursor.execute(f"ANALYZE {tables}")
    with _phase(report, progress, "derived state"):
        # Still without per-row foreign-key triggers: the check below covers these rows too.
        refresh_states()
        cp.sync_sequence(StoreRelationship)
        refresh_store_relationships(as_of=datetime.combine(window.today, datetime.min.time(), tzinfo=UTC))
        compute_value_tiers()
        write_client_book(window)
        write_outreach(window)
        write_feedback(window)
        for model in SEEDED_MODELS:
            cp.sync_sequence(model)
    with _phase(report, progress, "integrity checks"):
        if checks_skipped:
            cp.check_foreign_keys(SEEDED_MODELS)
    report.copy_seconds = writer.seconds


def count_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        parts = " UNION ALL ".join(
            f"SELECT {i}, COUNT(*) FROM {cp.quote(model._meta.db_table)}"  # noqa: S608 - model metadata
            for i, model in enumerate(SEEDED_MODELS)
        )
        cursor.execute(parts)
        counts = dict(cursor.fetchall())
    return {SEEDED_MODELS[i]._meta.db_table: int(n) for i, n in sorted(counts.items())}


@contextmanager
def _phase(report: SeedReport, progress: Progress, name: str) -> Iterator[Bar]:
    """Times one phase and gives it a progress bar."""
    started = time.perf_counter()
    with progress(name) as bar:
        yield bar
    report.phases[name] = time.perf_counter() - started
