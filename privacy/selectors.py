"""Reads of her downloads."""

from uuid import UUID

from django.utils import timezone

from consent.models import DataExport
from customers.models import Customer


def latest_export(customer: Customer) -> DataExport | None:
    """Her newest download, whatever its state."""
    return DataExport.objects.filter(customer=customer).order_by("-requested_at").first()


def export_to_download(token: UUID) -> DataExport | None:
    """The download a link names, while it is ready and has not expired."""
    export = DataExport.objects.filter(token=token, status=DataExport.Status.READY).first()
    if export is None or export.expires_at is None or export.expires_at <= timezone.now():
        return None
    return export
