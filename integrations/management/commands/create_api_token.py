from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.models import Resource
from integrations.services import issue_token
from stores.models import Store


class Command(BaseCommand):
    help = "Issue an API token for an integration system; prints the token once (it is not stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The system that will use it, e.g. 'Tills, London'.")
        parser.add_argument(
            "--resource", action="append", choices=Resource.values, required=True, help="Repeat for several."
        )
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--store", action="append", help="A store code it may write (repeat).")
        where.add_argument("--all-stores", action="store_true", help="It may write every store's data.")

    def handle(self, *args: Any, **options: Any) -> None:
        stores = []
        for code in options["store"] or []:
            store = Store.objects.filter(code=code).first()
            if store is None:
                raise CommandError(f"No store with code {code!r}.")
            stores.append(store)
        token, secret = issue_token(
            name=options["name"],
            resources=options["resource"],
            stores=stores,
            all_stores=options["all_stores"],
        )
        self.stderr.write(
            f"Issued {token} for {', '.join(token.resources)}. Keep it secret; it is shown once:"
        )
        self.stdout.write(secret)
