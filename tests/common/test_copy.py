"""Bulk loading by COPY (``common.copy``): what only the tables' owner may speed up, and the check
that makes up for it."""

import pytest
from django.db import IntegrityError, connection, transaction

from common import copy as cp
from common.db_roles import as_owner
from customers.models import CustomerIdentifier


@pytest.mark.django_db(transaction=True)
def test_skipped_foreign_key_triggers_are_made_up_for_by_the_final_check() -> None:
    with as_owner(), transaction.atomic():
        assert cp.skip_foreign_key_checks()  # the owner of the test database is a superuser
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_customeridentifier (customer_id, kind, namespace, value, is_primary, "
                "created_at) VALUES (987654321, 'email', '', 'ghost@inbox.example', true, now())"
            )

        with pytest.raises(IntegrityError, match=r"customers_customeridentifier\.customer_id"):
            cp.check_foreign_keys([CustomerIdentifier])
        transaction.set_rollback(True)


def test_the_apps_own_role_keeps_the_ordinary_checks_and_every_index(db) -> None:
    from demo.generate.runner import BULK_MODELS

    with transaction.atomic():
        assert not cp.skip_foreign_key_checks()
        assert cp.drop_secondary_indexes(BULK_MODELS) == []
