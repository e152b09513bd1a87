"""``manage.py flush``, as the database's owner and with the append-only tables' TRUNCATE guard
lifted for this session only: the runtime role may not empty a table (``common.db_roles``). The
test suite empties the database this way after each test that commits."""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from common.db_roles import as_owner


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        with as_owner(database):
            with connections[database].cursor() as cursor:
                cursor.execute("SELECT set_config('clienteling.allow_truncate', 'on', false)")
            try:
                super().handle(**options)
            finally:
                with connections[database].cursor() as cursor:
                    cursor.execute("SELECT set_config('clienteling.allow_truncate', '', false)")
