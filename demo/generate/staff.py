"""Staff: an administrator, and per store a manager and a few associates, all on the demo password."""

from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.hashers import make_password

from accounts.models import Role, StoreMembership, User
from common import copy as cp
from demo.generate.common import DAY, DEMO_PASSWORD, Bar, Window, rng_for
from demo.generate.names import mail_part, name_pool
from demo.generate.stores import StoreSet

FLOATER = ("lyon", "paris")  # this associate's home store, and the one she also covers


@dataclass
class StaffSet:
    associates_by_store: list[list[int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Person:
    username: str
    role: str
    country: str
    stores: list[int]  # store indexes, primary first


def build_staff(writer: cp.CopyWriter, bar: Bar, window: Window, stores: StoreSet, seed: int) -> StaffSet:
    rng = rng_for(seed, "staff")
    codes = [spec.code for spec in stores.specs]
    floater_home, floater_also = codes.index(FLOATER[0]), codes.index(FLOATER[1])
    people = [_Person("admin", Role.ADMIN, "GB", [])]
    for s, spec in enumerate(stores.specs):
        people.append(_Person(f"manager.{spec.code}", Role.MANAGER, spec.country, [s]))
        for n in range(1, (4 if spec.big else 3) + 1):
            also = [floater_also] if (s == floater_home and n == 3) else []
            people.append(_Person(f"associate.{spec.code}.{n}", Role.ASSOCIATE, spec.country, [s, *also]))

    taken = set(
        User.objects.filter(username__in=[p.username for p in people]).values_list("username", flat=True)
    )
    staff = StaffSet(associates_by_store=[[] for _ in stores.specs], skipped=sorted(taken))
    people = [p for p in people if p.username not in taken]

    first_id = cp.next_id(User)
    ids = np.arange(first_id, first_id + len(people), dtype=np.int64)
    first_names: list[str] = []
    family_names: list[str] = []
    for person in people:
        pool = name_pool(person.country, seed)
        given = pool.female if rng.random() < 0.6 else pool.male
        first_names.append(given[rng.integers(len(given))])
        family_names.append(pool.family[rng.integers(len(pool.family))])
    # One hash for everyone: PBKDF2 is deliberately slow, and every demo login shares the password.
    password = make_password(DEMO_PASSWORD)
    joined = window.start - rng.integers(30, 6 * 365, len(people)) * DAY
    n = len(people)
    writer.write(
        User,
        {
            "id": cp.ints(ids),
            "password": cp.const(password, n),
            "is_superuser": cp.bools(np.array([p.role == Role.ADMIN for p in people])),
            "username": [p.username for p in people],
            "first_name": cp.texts(first_names),
            "last_name": cp.texts(family_names),
            "email": [
                f"{mail_part(f)}.{mail_part(g)}@halden-rowe.example"
                for f, g in zip(first_names, family_names, strict=True)
            ],
            "is_staff": cp.bools(np.array([p.role == Role.ADMIN for p in people])),
            "is_active": cp.const("t", n),
            "date_joined": cp.timestamps(joined),
            "role": [p.role for p in people],
        },
        bar,
    )

    user_col: list[int] = []
    store_col: list[int] = []
    primary_col: list[bool] = []
    since: list[int] = []
    for user_id, person, joined_at in zip(ids.tolist(), people, joined.tolist(), strict=True):
        for rank, s in enumerate(person.stores):
            user_col.append(user_id)
            store_col.append(int(stores.ids[s]))
            primary_col.append(rank == 0)
            since.append(joined_at + rank * 200 * DAY)
            if person.role == Role.ASSOCIATE:
                staff.associates_by_store[s].append(user_id)
    m = len(user_col)
    writer.write(
        StoreMembership,
        {
            "id": cp.id_range(cp.next_id(StoreMembership), m),
            "user_id": cp.ints(np.array(user_col)),
            "store_id": cp.ints(np.array(store_col)),
            "is_primary": cp.bools(np.array(primary_col)),
            "created_at": cp.timestamps(np.array(since, dtype=np.int64)),
        },
        bar,
    )
    return staff
