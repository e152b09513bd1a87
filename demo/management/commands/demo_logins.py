"""``manage.py demo_logins``: the staff accounts that sign in with the demo password, as a table."""

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand

from accounts.models import Role, User
from demo.generate.common import DEMO_PASSWORD

ROLE_ORDER = {Role.ADMIN: 0, Role.MANAGER: 1, Role.ASSOCIATE: 2}


class Command(BaseCommand):
    help = "Print the demo staff logins: username, role, store(s) and password."

    def handle(self, *args: Any, **options: Any) -> None:
        users = list(User.objects.filter(is_active=True).prefetch_related("memberships__store"))
        # Each distinct hash is checked once: hashing is slow by design, and seed_demo gives every
        # demo account the same hash, so this is one check however many accounts there are.
        demo_hashes = {h for h in {u.password for u in users} if check_password(DEMO_PASSWORD, h)}
        logins: list[tuple[tuple[int, str, str], tuple[str, ...]]] = []
        for user in users:
            if user.password not in demo_hashes:
                continue
            memberships = sorted(user.memberships.all(), key=lambda m: (not m.is_primary, m.store.name))
            stores = ", ".join(m.store.city or m.store.name for m in memberships)
            if user.role == Role.ADMIN:
                stores = "all stores"
            order = (ROLE_ORDER.get(Role(user.role), 3), stores, user.username)
            logins.append((order, (user.username, user.get_role_display(), stores or "—", DEMO_PASSWORD)))
        if not logins:
            self.stdout.write("No demo logins found; run `manage.py seed_demo` first.")
            return
        self._print_table(("username", "role", "store", "password"), [row for _, row in sorted(logins)])
        self.stdout.write(
            "\nPIN switching on a shared tablet: sign in as a manager and enrol the browser (Tablets and"
            "\nsign-in); each associate chooses a PIN from the menu once, then taps her name on /tablet/."
        )

    def _print_table(self, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
