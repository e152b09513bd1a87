"""Everything held about one customer, as her privacy centre shows it and her download holds it; and
the download itself (a ZIP built by a Celery job, fetched once through a short-lived signed link,
from the privacy-centre session that asked for it).

One function builds the data for both, so the page and the download never disagree. Its sections are
whatever the apps register (``common.data_rights``): each app says what of its rows she sees. It
leaves out other people's data: no associate is named.
"""

import csv
import hashlib
import hmac
import io
import json
import zipfile
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from common import outbox
from common.data_rights import Section, Subject, holdings
from common.replica import heavy_read
from common.spreadsheet import spreadsheet_safe
from consent.models import DataExport
from customers.models import Customer
from customers.services.profiles import profiles_of

SCHEMA_VERSION = 1

# The order of the download's sections (its schema, which this app owns; the apps say what is in
# each). A section an app adds and this list does not name yet comes last.
SECTIONS = (
    "profile", "identifiers", "preferences", "sizes", "important_dates", "notes", "follow_ups",
    "contacts", "orders", "returns", "services", "consent_history", "suggestions",
    "suggestion_feedback", "messages", "replies", "looks", "wishlist", "appointments", "access_log",
)  # fmt: skip


def subject_data(customer: Customer, *, recent: int | None = None) -> dict[str, Any]:
    """Plain JSON-ready data; lists are newest first.

    ``recent`` keeps only that many of the newest orders, messages and profile views (the privacy
    centre's page, which says how many there are in all: ``order_count``, ``message_count``,
    ``access_count``); the download has all.
    """
    # She and every profile merged into her: what a merge left behind (a clashing size, the ledger,
    # views of the profile before the merge) is hers too.
    subject = Subject(customer=customer, ids=profiles_of(customer.pk), recent=recent)
    sections = [holding.export for holding in holdings() if isinstance(holding.export, Section)]
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for section in sorted(sections, key=_position):
        data[section.name] = section.rows(subject)
        if recent is not None and section.total is not None:
            data[section.total_as] = section.total(subject)
    return data


def _position(section: Section) -> int:
    return SECTIONS.index(section.name) if section.name in SECTIONS else len(SECTIONS)


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


@heavy_read
def build_zip(customer: Customer) -> bytes:
    """Her download's content, read from the replica when one is configured (seeing everything
    committed before the call: all she had changed when she asked for it)."""
    data = subject_data(customer)
    order_lines = [
        {
            "order": o["id"],
            "placed_at": o["placed_at"],
            "store": o["store"],
            "currency": o["currency"],
            **line,
        }
        for o in data["orders"]
        for line in o["lines"]
    ]
    files = {
        "data.json": json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        "order_lines.csv": _csv(
            order_lines,
            [
                "order",
                "placed_at",
                "store",
                "currency",
                "sku",
                "product",
                "colour",
                "size",
                "quantity",
                "unit_price",
                "amount",
            ],
        ),
        "notes.csv": _csv(data["notes"], ["written_at", "store", "text"]),
        "messages.csv": _csv(
            data["messages"],
            ["written_at", "sent_at", "channel", "use", "status", "store", "subject", "body"],
        ),
        "replies.csv": _csv(
            data["replies"],
            ["received_at", "sent_at", "channel", "from", "store", "withdrew_consent", "subject", "body"],
        ),
        "consent_history.csv": _csv(
            data["consent_history"],
            [
                "at",
                "purpose",
                "granted",
                "method",
                "verification",
                "store",
                "policy_version",
                "policy_language",
                "policy_text_sha256",
                "receipt",
            ],
        ),
        "access_log.csv": _csv(data["access_log"], ["at", "what", "store", "role"]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def session_digest(session: str) -> str:
    """What an export keeps of the privacy-centre session that asked for it: a digest of its id."""
    return hashlib.sha256(f"export-session:{session}".encode()).hexdigest()


def request_export(customer: Customer, *, session: str) -> DataExport:
    """Ask for a new export, downloadable from the privacy-centre ``session`` that asks (reusing one
    it is still preparing: a double tap makes one job)."""
    if not session:
        raise ValueError("An export is asked for from a privacy-centre session.")
    requested_in = session_digest(session)
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        pending = DataExport.objects.filter(
            customer=customer, status=DataExport.Status.PENDING, requested_in=requested_in
        ).first()
        if pending is not None:
            return pending
        export = DataExport.objects.create(customer=customer, requested_in=requested_in)
        record_event(
            by=None, actor_kind="customer", action="customer.export_requested", customer_id=customer.pk
        )
        outbox.enqueue("consent.build_export", args=[export.pk], key=f"export:{export.pk}")
    return export


def build(export_id: int) -> None:
    """The job: write the ZIP and mark the export ready (idempotent: a ready export is left alone).

    Her data is read before the export is locked, outside the transaction, so that the replica can
    serve it; the job starts after her request committed, so it holds everything she had done by
    then. A second run that finished first, or her erasure meanwhile, leaves nothing to finish."""
    pending = DataExport.objects.select_related("customer").filter(pk=export_id).first()
    if pending is None or pending.status != DataExport.Status.PENDING:
        return
    content = build_zip(pending.customer)
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != DataExport.Status.PENDING:
            return
        export.file.save(f"{export.token.hex}.zip", ContentFile(content), save=False)
        now = timezone.now()
        export.status = DataExport.Status.READY
        export.size_bytes = len(content)
        export.ready_at = now
        export.expires_at = now + timedelta(hours=settings.EXPORT_KEEP_HOURS)
        export.save()
        record_event(
            by=None,
            actor_kind="system",
            action="customer.export_built",
            customer_id=export.customer_id,
            detail={"bytes": len(content)},
        )


class NotHers(Exception):
    """The download is not one this privacy-centre session asked for (or there is no such one)."""


class DownloadGone(Exception):
    """The download was taken already, or is past its time; the message says which."""


def take_download(token: UUID, *, customer: Customer, session: str) -> bytes:
    """Hand over her ZIP, once: only to the privacy-centre ``session`` that asked for it, while it
    is ready. The file is deleted as it is handed over (after the commit that marks it taken), so a
    second try, from anywhere, finds nothing. Raises ``NotHers`` or ``DownloadGone``."""
    now = timezone.now()
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(token=token).first()
        if (
            export is None
            or export.customer_id != customer.pk
            or not session
            or not hmac.compare_digest(export.requested_in, session_digest(session))
        ):
            raise NotHers
        if export.status == DataExport.Status.DOWNLOADED:
            raise DownloadGone(
                _("You have downloaded this file already. Prepare a new download for another copy.")
            )
        if export.status != DataExport.Status.READY or export.expires_at is None or export.expires_at <= now:
            raise DownloadGone(_("This download has expired. Prepare a new one in your privacy centre."))
        with export.file.open("rb") as file:
            content = file.read()
        stored, storage = str(export.file.name), export.file.storage
        export.file = ""
        export.status = DataExport.Status.DOWNLOADED
        export.downloaded_at = now
        export.save(update_fields=["file", "status", "downloaded_at"])
        record_event(
            by=None, actor_kind="customer", action="customer.export_downloaded", customer_id=customer.pk
        )
        transaction.on_commit(lambda: storage.delete(stored))
    return content


def delete_expired(now: Any = None) -> int:
    """Delete the files of exports past their time; returns how many."""
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now):
        export.file.delete(save=False)
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["file", "status"])
        count += 1
    return count
