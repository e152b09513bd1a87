"""Erasing a customer: her personal data goes everywhere it lives; her sales stay as anonymous records.

What happens to each table that holds her data is said by the app that owns it, in one registry
(``common.data_rights``; each app's ``data_rights.py``). In short:

- deleted: her identifiers, preferences, sizes, dates and store relationships; notes (with their
  earlier texts), follow-ups and contacts; suggestions and what was said of them; messages, looks
  (with their items), her wishlist and appointments (with the products prepared); her current
  consent state, sign-in links and downloads (their files once the erasure commits); duplicate
  pairs naming her;
- detached: orders (with their lines), returns and service episodes are kept for the accounts with
  ``customer = NULL`` and their free text (return reason, service summary) blanked;
- anonymised: the ``Customer`` row stays as the pseudonymous id the ledger and the audit trail point
  to (names, birth date, locale, country and home store blanked, ``erased_at`` set, ``public_id``
  rotated, so her old membership QR codes and card URLs lead nowhere); merge records keep the ids of
  the rows that moved, their reasons blanked; audit events lose the sensitive topics a note was
  flagged for;
- kept: the append-only consent ledger, whose rows hold only ids (the minimal, pseudonymous proof of
  what she agreed to and when).

Profiles merged into her are the same person and are erased with her.

Outside the database:

- ``django.core.cache``: nothing in the code base caches anything about a customer (no
  ``cache.get``/``cache.set`` anywhere; sessions live in the database and hold staff ids and the
  chosen store), so there is nothing to purge. A future per-customer cache entry must be deleted here.
- Celery: tasks receive customer ids and plain values only, never personal data, and return counts
  keyed by ids, so the Redis broker and result backend hold nothing personal about her. A message
  still waiting to leave is deleted with her; its delivery task then finds nothing to send.
- E-mail and SMS providers: what was already sent to her is in their hands, not ours.
- Logs: code logs ids, never names; ``common.logging.RedactPersonalData`` rewrites any e-mail
  address or phone-like number that slips through.
- Backups and PostgreSQL's write-ahead log are out of reach, and a backup from before her erasure
  holds neither the erasure nor its audit events. So each erasure, once committed, is also written
  to the erasure ledger, a file outside the database (``privacy.ledger``), and after a restore
  ``manage.py replay_erasures`` erases again everyone it lists (README, "Backup and restore").
  A ledger that cannot be written is an error: it is logged, her ``erasure.completed`` event stays
  in the audit trail, the erasure job stays open (or a new one is opened) in the outbox so that it
  runs again until the line is written, and ``erase_customer`` raises ``LedgerNotWritten`` when it
  was not called inside a larger transaction. Running her erasure again is safe; a restore that
  brings her back unseen is not.

Safe to run twice, or again after a crash: the work is one transaction per customer, each step is a
conditional delete or update, and a second run changes nothing (``erased_at`` and the rotated
``public_id`` are only set the first time).
"""

import contextlib
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from audit.services import record_event
from common import outbox
from common.data_rights import Anonymise, Delete, Detach, Holding, holdings
from customers.models import Customer
from customers.services.profiles import profiles_of
from privacy import ledger

logger = logging.getLogger(__name__)


class Reason:
    REQUEST = "request"  # she (or staff on her behalf) asked
    RETENTION = "retention"  # inactive for longer than the retention period
    RESTORE = "restore"  # erased before, brought back by restoring a backup (``replay_erasures``)


class LedgerNotWritten(RuntimeError):
    """Her erasure committed, but its line could not be added to the erasure ledger."""


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did, in ids and counts only (safe to log, audit and return from a task)."""

    customer_id: int
    profile_ids: tuple[int, ...]  # she and every profile merged into her
    already_erased: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_result(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "profile_ids": list(self.profile_ids),
            "already_erased": self.already_erased,
            "counts": self.counts,
        }


def erase_customer(customer_id: int, *, reason: str = Reason.REQUEST) -> ErasureReport:
    """Erase one customer and the profiles merged into her, in one transaction (see module docstring).

    Raises ``Customer.DoesNotExist`` for an unknown id.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        already_erased = customer.erased_at is not None
        profile_ids = _lock_profiles(profiles_of(customer_id))
        # The first thing done once this commits, so that nothing failing after it keeps it out.
        ledger_line = _LedgerLine(customer_id, tuple(pk for pk in profile_ids if pk != customer_id), reason)
        transaction.on_commit(ledger_line)
        counts = _erase_profiles(profile_ids)
        report = ErasureReport(
            customer_id=customer_id,
            profile_ids=tuple(profile_ids),
            already_erased=already_erased,
            counts=counts,
        )
        record_event(
            by=None,
            action="erasure.completed",
            customer_id=customer_id,
            detail={
                "reason": reason,
                "merged_profile_ids": [pk for pk in profile_ids if pk != customer_id],
                "already_erased": already_erased,
                "counts": counts,
            },
        )
    logger.info(
        "customer erased",
        extra={"customer_id": customer_id, "profiles": len(profile_ids), "reason": reason},
    )
    if ledger_line.error is not None:  # (only known here when this was the outermost transaction)
        raise LedgerNotWritten(
            f"customer {customer_id} was erased, but the erasure ledger could not be written"
        ) from ledger_line.error
    return report


@dataclass
class _LedgerLine:
    """Run once her erasure commits: write its line to the ledger, or else say so loudly and leave
    an erasure job open in the outbox, which runs her (idempotent) erasure again until it is written.

    It never raises, so that the other things done on commit (deleting her download files) still
    happen; ``erase_customer`` raises afterwards instead, so the job that called it fails and stays
    open. Called inside a larger transaction (retention's), it runs after ``erase_customer`` has
    returned: the job it opens is then what tries again."""

    customer_id: int
    merged_profile_ids: tuple[int, ...]
    reason: str
    error: Exception | None = None

    def __call__(self) -> None:
        entry = ledger.Entry(self.customer_id, self.merged_profile_ids, timezone.now())
        try:
            ledger.append(settings.ERASURE_LEDGER_PATH, entry)
        except OSError as exc:
            self.error = exc
            logger.error(
                "customer erased but the erasure ledger was not written (%s); her erasure will run again",
                exc,
                extra={"customer_id": self.customer_id},
            )
            try:
                # With the key of her request: the job running now, if this is one, is that job.
                # Without a broker the job runs here at once and fails the same way: it stays open.
                with contextlib.suppress(LedgerNotWritten):
                    outbox.enqueue(
                        "privacy.erase_customer",
                        args=[self.customer_id],
                        kwargs={"reason": self.reason},
                        key=f"erase:{self.customer_id}",
                    )
            except Exception:
                logger.exception(
                    "no job could be opened to erase her again: her erasure is in the audit trail "
                    "(erasure.completed) but not in the erasure ledger",
                    extra={"customer_id": self.customer_id},
                )


def _lock_profiles(ids: list[int]) -> list[int]:
    # Always in id order, so two erasures touching the same profiles cannot deadlock.
    locked = set(
        Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in locked]


def _erase_profiles(ids: list[int]) -> dict[str, dict[str, int]]:
    """Counts per table, under what happened to the rows: deleted, detached or anonymised."""
    counts: dict[str, dict[str, int]] = {"deleted": {}, "detached": {}, "anonymised": {}}
    registered = holdings()
    deletes = [(holding, holding.erase) for holding in registered if isinstance(holding.erase, Delete)]
    for holding, delete in _pointing_first(deletes):
        rows = _theirs(holding, delete.of, ids)
        for file_field in delete.files:
            names = [name for name in rows.values_list(file_field, flat=True) if name]
            transaction.on_commit(partial(_delete_files, names))
        counts["deleted"][_table(holding)] = _delete(rows)
    detaches = [(holding, holding.erase) for holding in registered if isinstance(holding.erase, Detach)]
    for holding, detach in _pointing_first(detaches):
        counts["detached"][_table(holding)] = _theirs(holding, detach.of, ids).update(
            customer=None, **detach.blank
        )
    for holding in registered:
        if isinstance(holding.erase, Anonymise):
            counts["anonymised"][_table(holding)] = holding.erase.apply(ids)
    return counts


def _pointing_first[Rule: (Delete, Detach)](rules: list[tuple[Holding, Rule]]) -> list[tuple[Holding, Rule]]:
    """Rows that point at other rows being erased go first (a look's items and the messages that
    shared it before the look, a return hanging off her order before the order), so that each
    table's count is its own and no row is updated only to be deleted; otherwise in the order the
    apps registered them."""
    pending, ordered = list(rules), []
    while pending:
        ready = next(
            pair
            for pair in pending
            if not any(_points_at(other.model, pair[0].model) for other, _ in pending if other is not pair[0])
        )
        pending.remove(ready)
        ordered.append(ready)
    return ordered


def _points_at(model: type[Model], target: type[Model]) -> bool:
    return any(field.related_model is target for field in model._meta.concrete_fields if field.is_relation)


def _theirs(holding: Holding, paths: tuple[str, ...], ids: list[int]) -> QuerySet[Any]:
    """The rows of ``holding`` that are hers by any of ``paths`` (lookups to a customer id)."""
    mine = Q()
    for path in paths:
        mine |= Q(**{f"{path}__in": ids})
    return holding.model._default_manager.filter(mine)


def _table(holding: Holding) -> str:
    return holding.model._meta.db_table


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete(queryset: QuerySet[Any]) -> int:
    deleted, _ = queryset.delete()
    return deleted
