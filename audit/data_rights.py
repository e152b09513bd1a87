"""The audit trail under her data rights (see ``common.data_rights``). It holds ids and field names,
never values, and is kept: an erasure only takes out the one hint about content it may hold."""

from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from common.data_rights import Anonymise, Section, Stay, Subject, iso, register

# Actions that mean someone looked at her data, as "who viewed my profile" names them.
VIEW_ACTIONS = {"customer.viewed": gettext_lazy("Opened your profile")}

# What a note was flagged for, before and after a redaction (``relationships``): the sensitive topics
# are a hint about what the note said.
TOPIC_KEYS = ["flagged_topics", "flagged_topics_before"]


def register_data_rights() -> None:
    register(
        AuditEvent,
        export=Section("access_log", _access_log, total=_access_count, total_as="access_count"),
        erase=Anonymise(
            _scrub_details,
            "append-only accountability: ids and field names, kept; the sensitive topics her notes were "
            "flagged for are taken out of the details",
        ),
        merge=Stay("what happened to each profile as it was then"),
    )


def _views(subject: Subject) -> Any:
    return AuditEvent.objects.filter(customer_id__in=subject.ids, action__in=VIEW_ACTIONS)


def _access_log(subject: Subject) -> list[dict[str, Any]]:
    """Who opened her profile: when, in which store, and the viewer's role (never her name)."""
    return [
        {
            "at": iso(a.occurred_at),
            "what": str(VIEW_ACTIONS[a.action]),
            "store": a.store.name if a.store else None,
            "role": a.actor.get_role_display() if a.actor else None,
        }
        for a in _views(subject)
        .select_related("store", "actor")
        .order_by("-occurred_at", "-pk")[: subject.recent]
    ]


def _access_count(subject: Subject) -> int:
    return int(_views(subject).count())


def _scrub_details(ids: list[int]) -> int:
    """Through the one function that may change an audit event (the app's role may not UPDATE the
    table: common/db_roles.py), which takes keys out and nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_forget_keys(%s::bigint[], %s::text[])", [list(ids), TOPIC_KEYS])
        row = cursor.fetchone()
    return int(row[0]) if row else 0
