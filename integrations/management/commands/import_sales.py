from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from integrations.csv_rows import ImportFileError
from integrations.imports import ImportTooSlow, import_sales


class Command(BaseCommand):
    help = (
        "Import a CSV (plain or .gz): sales in the generic format "
        "customer_id,order_id,product_id,ordered_at,quantity,store_id,category or the Online Retail export, "
        "products (product_id,name[,category,price,description]) or customers "
        "(customer_id[,given_name,family_name,email,phone,loyalty,home_store]). The header says which. "
        "Safe to run again: orders already here are left alone, products and customers are updated."
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

    def handle(self, *args: Any, path: Path, source: str, rejects: Path | None, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"No file {path}.")
        rejects = rejects or path.with_name(path.name + ".rejects.csv")
        with tqdm(desc="rows read", unit=" rows", disable=options["verbosity"] == 0) as bar:
            try:
                summary = import_sales(path, source=source, rejects=rejects, progress=bar.update)
            except (ImportFileError, ImportTooSlow) as error:
                raise CommandError(str(error)) from error
        if summary.format in ("products", "customers"):
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
        if summary.rejected:
            for reason, count in sorted(summary.reasons.items(), key=lambda item: -item[1])[:10]:
                self.stdout.write(f"  {count:,} × {reason}")
            self.stdout.write(f"Rejected rows and why: {rejects}")
