import shlex
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from tqdm import tqdm

from integrations.csv_rows import ImportFileError
from integrations.imports import ImportTooSlow, Summary, import_sales
from stores.services import StoreDefaults

MISSING_SHOWN = 20
STORES_HEADER = "store_id,name,country,timezone,currency[,city,address,locale]"


class Command(BaseCommand):
    help = (
        "Import a CSV (plain or .gz): sales in the generic format "
        "customer_id,order_id,product_id,ordered_at,quantity[,store_id,category,unit_price] "
        "(without a unit_price: the catalogue's) or the Online Retail export, "
        "products (product_id,name[,category,price,description,image_url,replenishable,"
        "replenish_after_days,sensitive]: sensitive=true marks the product's category sensitive, false never "
        "unmarks one), customers "
        "(customer_id[,given_name,family_name,email,phone,loyalty,home_store]) or stores "
        f"({STORES_HEADER}). The header says which. "
        "Safe to run again: orders already here are left alone, products, customers and stores are updated. "
        "Rows naming a store that is not here are rejected, and the stores listed, unless --create-stores."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--source",
            default="import",
            help="The system whose customer ids the file holds (default: import).",
        )
        parser.add_argument(
            "--rejects", type=Path, help="Where to write rejected rows (default: <file>.rejects.csv)."
        )
        parser.add_argument(
            "--create-stores",
            action="store_true",
            help='Make the stores the file names that are not here ("Store <code>"), in --country, '
            "--currency and --timezone, before its rows are imported.",
        )
        parser.add_argument(
            "--country",
            help="The new stores' ISO 3166 country code, which sets their staff pages' locale "
            f"(default: IMPORT_STORE_COUNTRY, {settings.IMPORT_STORE_COUNTRY}).",
        )
        parser.add_argument(
            "--currency",
            help="The new stores' ISO 4217 currency code, their orders' currency "
            f"(default: IMPORT_STORE_CURRENCY, {settings.IMPORT_STORE_CURRENCY}).",
        )
        parser.add_argument(
            "--timezone",
            help="The new stores' IANA time zone "
            f"(default: IMPORT_STORE_TIMEZONE, {settings.IMPORT_STORE_TIMEZONE}).",
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        source: str,
        rejects: Path | None,
        create_stores: bool,
        country: str | None,
        currency: str | None,
        timezone: str | None,
        **options: Any,
    ) -> None:
        if not path.exists():
            raise CommandError(f"No file {path}.")
        if not create_stores and (country or currency or timezone):
            raise CommandError(
                "--country, --currency and --timezone are for the stores --create-stores makes."
            )
        defaults = StoreDefaults(
            country=(country or settings.IMPORT_STORE_COUNTRY).upper(),
            currency=(currency or settings.IMPORT_STORE_CURRENCY).upper(),
            timezone=timezone or settings.IMPORT_STORE_TIMEZONE,
        )
        if problems := defaults.problems():
            raise CommandError(f"{'; '.join(problems)}.")
        rejects = rejects or path.with_name(path.name + ".rejects.csv")
        with tqdm(desc="rows read", unit=" rows", disable=options["verbosity"] == 0) as bar:
            try:
                summary = import_sales(
                    path,
                    source=source,
                    rejects=rejects,
                    progress=bar.update,
                    create_stores=defaults if create_stores else None,
                )
            except (ImportFileError, ImportTooSlow) as error:
                raise CommandError(str(error)) from error
        if summary.stores_created:
            self.stdout.write(
                f"{len(summary.stores_created):,} stores created "
                f"({defaults.country}, {defaults.currency}, {defaults.timezone})."
            )
        if summary.format in ("products", "customers", "stores"):
            counts = ", ".join(
                f"{count:,} {name.replace('_', ' ')}" for name, count in summary.records.items()
            )
            self.stdout.write(
                f"{summary.rows:,} rows of {summary.format}: {counts}; {summary.rejected:,} rows rejected."
            )
        else:
            s = summary
            self.stdout.write(
                f"{s.rows:,} rows: {s.orders_created:,} orders with {s.lines_created:,} lines imported, "
                f"{s.customers_created:,} customers and {s.products_created:,} products created; "
                f"{s.orders_already_here:,} orders were already here; {s.rejected:,} rows rejected."
            )
            if s.lines_without_price:
                self.stdout.write(
                    f"{s.lines_without_price:,} lines had no price (no unit_price in the file, none in the "
                    "catalogue) and were recorded at 0: give a unit_price column, or import the products "
                    "with their prices first."
                )
        if summary.rejected:
            for reason, count in _grouped(summary)[:10]:
                self.stdout.write(f"  {count:,} × {reason}")
            self.stdout.write(f"Rejected rows and why: {rejects}")
        if summary.missing_stores:
            self.stdout.write(_how_to_add(summary.missing_stores, path, source, defaults))


def _grouped(summary: Summary) -> list[tuple[str, int]]:
    """The reasons rows were rejected, most frequent first; the unknown stores as one (listed apart)."""
    reasons = dict(summary.reasons)
    unknown = {f"unknown store '{code}'" for code in summary.missing_stores}
    rows = sum(reasons.pop(reason, 0) for reason in unknown)
    if rows:
        reasons[f"unknown store ({len(unknown):,} stores, listed below)"] = rows
    return sorted(reasons.items(), key=lambda item: -item[1])


def _how_to_add(codes: list[str], path: Path, source: str, defaults: StoreDefaults) -> str:
    shown = ", ".join(codes[:MISSING_SHOWN])
    more = f" (the first {MISSING_SHOWN} of {len(codes):,})" if len(codes) > MISSING_SHOWN else ""
    again = ["manage.py", "import_sales", str(path)]
    if source != "import":
        again += ["--source", source]
    again += ["--create-stores", "--country", defaults.country, "--currency", defaults.currency]
    again += ["--timezone", defaults.timezone]
    return (
        f"{len(codes):,} stores the file names are not here, and their rows were rejected: {shown}{more}.\n"
        "Add them, then import the file again (what is here already is left as it is):\n"
        f'  - let the import make them, named "Store <code>": {shlex.join(again)}\n'
        f"  - or import a stores file first, with the header {STORES_HEADER}\n"
        f"  - or add them in the admin: {reverse('admin:stores_store_add')}"
    )
