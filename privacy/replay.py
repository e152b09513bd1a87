"""Erasures done again after a backup is restored (``manage.py replay_erasures``).

A restored database has forgotten every erasure made after its backup was taken, and their audit
events with them. Two records say what it must do again:

- the erasure ledger (``privacy.ledger``), outside the database: everyone erased, by id. Whoever it
  lists and the restored database does not show erased is erased again, with the reason
  ``restore``; so is any profile that was merged into her (a backup older than the merge has it as
  a customer of its own);
- the restored database itself: a customer who asked to be erased (an ``erasure.requested`` event,
  or her erasure job still open in the outbox) but is not erased, because the backup was taken
  before the job ran. Her erasure is done now, with the reason ``request``.

Both go through ``erase_customer``, one transaction per customer, so each is audited and written to
the ledger like any other, and running this twice changes nothing the second time. The run itself is
audited (``replay_erasures.run``, with its counts and never a name); a dry run changes nothing.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import batched
from typing import Any

from django.db.models import Exists, OuterRef, Q

from audit.models import AuditEvent
from audit.services import record_event
from common.models import OutboxTask
from customers.models import Customer
from customers.services.profiles import profiles_of
from privacy.erasure import Reason, erase_customer
from privacy.ledger import Entry

ERASE_TASK = "privacy.erase_customer"
LOOKUP_BATCH_SIZE = 5000  # ids per query when reading the state of the customers the ledger lists


@dataclass(frozen=True)
class ReplayReport:
    """Customers counted by id (she and each profile merged into her, as the ledger lists them)."""

    erased_again: int  # listed, not erased in this database: erased now (a dry run: would be)
    already_erased: int  # listed, and erased in this database too
    not_found: int  # listed, and not in this database (it is older than she is)
    # Listed, but this database's customer of that id was made after the erasure: someone else, who
    # got the id once the restore set the id counter back. Left alone.
    id_reused: int
    requests_completed: int  # asked to be erased in this database and not erased: done now
    dry_run: bool

    def as_detail(self) -> dict[str, Any]:
        return asdict(self)


def replay_erasures(
    entries: Sequence[Entry], *, dry_run: bool = False, run_by: str = "", ledger: str = ""
) -> ReplayReport:
    """Erase again whoever ``entries`` (the ledger) lists and this database does not show erased,
    then complete every erasure asked for here and not done (see the module docstring).

    ``run_by`` (the operator) and ``ledger`` (where the entries came from) go into the audit event of
    the run; a dry run records nothing and changes nothing.
    """
    completed: dict[int, datetime] = {}
    for entry in entries:
        for pk in entry.ids():
            completed[pk] = max(completed.get(pk, entry.completed_at), entry.completed_at)
    listed = list(completed)
    state = {pk: (erased_at, created_at) for pk, erased_at, created_at in _state(listed)}
    erased = {pk: erased_at is not None for pk, (erased_at, _) in state.items()}
    reused = {pk for pk, (_, created_at) in state.items() if created_at > completed[pk]}
    to_erase_again = [pk for pk in listed if pk in erased and not erased[pk] and pk not in reused]
    asked = [pk for pk in unfinished_erasure_requests() if pk not in erased]
    done: set[int] = set()
    for pk in to_erase_again:
        if pk not in done:  # erased already with a profile she had been merged into
            done.update(_erase(pk, reason=Reason.RESTORE, dry_run=dry_run))
    for pk in asked:
        if pk not in done:
            done.update(_erase(pk, reason=Reason.REQUEST, dry_run=dry_run))
    report = ReplayReport(
        erased_again=len(to_erase_again),
        already_erased=sum(1 for pk in listed if erased.get(pk)),
        not_found=sum(1 for pk in listed if pk not in erased),
        id_reused=sum(1 for pk in reused if not erased[pk]),
        requests_completed=len(asked),
        dry_run=dry_run,
    )
    if not dry_run:
        record_event(
            by=None,
            action="replay_erasures.run",
            detail=report.as_detail() | {"listed": len(listed), "ledger": ledger, "run_by": run_by},
        )
    return report


def unfinished_erasure_requests() -> list[int]:
    """Ids of the customers not erased who asked to be (an ``erasure.requested`` event) or whose
    erasure job is still open in the outbox."""
    queued = [
        args[0]
        for args in OutboxTask.objects.filter(name=ERASE_TASK, done_at__isnull=True).values_list(
            "args", flat=True
        )
        if args and isinstance(args[0], int)
    ]
    asked = AuditEvent.objects.filter(action="erasure.requested", customer_id=OuterRef("pk"))
    return list(
        Customer.objects.filter(erased_at__isnull=True)
        .filter(Q(Exists(asked)) | Q(pk__in=queued))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _state(ids: Iterable[int]) -> Iterator[tuple[int, datetime | None, datetime]]:
    """For each of ``ids`` that is a customer here: when she was erased (if she was) and made."""
    for batch in batched(ids, LOOKUP_BATCH_SIZE):
        yield from Customer.objects.filter(pk__in=batch).values_list("pk", "erased_at", "created_at")


def _erase(customer_id: int, *, reason: str, dry_run: bool) -> list[int]:
    """Erase her (a dry run: nothing); returns her id and those of the profiles merged into her."""
    if dry_run:
        return profiles_of(customer_id)
    return list(erase_customer(customer_id, reason=reason).profile_ids)
