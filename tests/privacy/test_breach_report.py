import csv
import io
import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from customers.models import Customer
from customers.services import NewCustomer, NewIdentifier, create_customer
from privacy.breach import accessed_customers, safe_cell
from privacy.erasure import erase_customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

T1 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)
T3 = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def event(action: str, customer: Customer, at: datetime, by=None) -> AuditEvent:  # type: ignore[no-untyped-def]
    return AuditEvent.objects.create(
        occurred_at=at,
        actor=by,
        actor_kind="staff" if by else "system",
        action=action,
        customer=customer,
    )


def customer_named(given: str, family: str, *, email: str = "", phone: str = "") -> Customer:
    identifiers = tuple(
        NewIdentifier(kind, value) for kind, value in (("email", email), ("phone", phone)) if value
    )
    return create_customer(
        by=None, data=NewCustomer(given_name=given, family_name=family, country="GB", identifiers=identifiers)
    )


def report(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("breach_report", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.fixture
def accesses(associate, teammate):  # type: ignore[no-untyped-def]
    """Ava opened Amara's card twice and wrote a note on it, opened Bruno's and, long before, Elise's;
    Ben opened Chen's; the system created Dana (no one saw her)."""
    amara = customer_named("Amara", "Diallo", email="amara@example.com", phone="07911 123461")
    bruno = customer_named("Bruno", "Keller", email="bruno@example.com")
    chen = customer_named("Chen", "Wei")
    dana = customer_named("Dana", "Ortiz")
    elise = customer_named("Elise", "Moreau")
    event("customer.viewed", amara, T1, associate)
    event("customer.viewed", amara, T2, associate)
    event("note.added", amara, T3, associate)
    event("customer.viewed", bruno, T2, associate)
    event("customer.viewed", elise, BEFORE, associate)
    event("customer.viewed", chen, T2, teammate)
    event("customer.created", dana, T2)
    event("erasure.requested", bruno, T2)
    return {"amara": amara, "bruno": bruno, "chen": chen, "dana": dana, "elise": elise}


def test_an_account_lists_every_customer_it_saw_once_with_first_and_last_access_and_count(accesses):
    rows = report("--actor", "ava")

    assert [(row["name"], row["accesses"]) for row in rows] == [
        ("Elise Moreau", "1"),
        ("Amara Diallo", "3"),
        ("Bruno Keller", "1"),
    ]
    amara = rows[1]
    assert amara["public_id"] == str(accesses["amara"].public_id)
    assert (amara["email"], amara["phone"]) == ("amara@example.com", "'+447911123461")
    assert (amara["first_access"], amara["last_access"]) == (T1.isoformat(), T3.isoformat())
    assert amara["actions"] == "customer.viewed note.added"
    assert amara["erased"] == "no"


def test_a_window_lists_everyone_seen_in_it_by_anyone_with_both_ends_included(accesses):
    rows = report("--since", T1.isoformat(), "--until", T2.isoformat())

    assert {row["name"]: row["accesses"] for row in rows} == {
        "Amara Diallo": "2",
        "Bruno Keller": "1",
        "Chen Wei": "1",
    }


def test_an_account_and_a_window_narrow_each_other(accesses):
    rows = report("--actor", "ben", "--since", T1.isoformat())

    assert [row["name"] for row in rows] == ["Chen Wei"]


def test_the_window_ends_now_by_default(accesses, associate):
    event("customer.viewed", accesses["dana"], datetime.now(tz=UTC) - timedelta(minutes=1), associate)

    rows = report("--since", T3.isoformat())

    assert [row["name"] for row in rows] == ["Amara Diallo", "Dana Ortiz"]


def test_a_profile_merged_away_is_reported_as_the_person_it_was_merged_into(accesses, associate):
    duplicate = CustomerFactory(merged_into=accesses["amara"], merged_at=T1)
    event("customer.viewed", duplicate, T2, associate)

    rows = report("--actor", "ava", "--since", T1.isoformat(), "--until", T2.isoformat())

    assert {row["name"]: row["accesses"] for row in rows} == {"Amara Diallo": "3", "Bruno Keller": "1"}


def test_a_customer_who_withdrew_consent_since_is_still_listed(
    accesses, consenting_customer, withdraw, associate
):
    event("customer.viewed", consenting_customer, T2, associate)
    withdraw(consenting_customer)

    rows = report("--actor", "ava", "--since", T2.isoformat(), "--until", T2.isoformat())

    assert "Zoë Okafor" in [row["name"] for row in rows]


def test_an_erased_customer_is_listed_as_erased_without_contact_details(accesses):
    erase_customer(accesses["bruno"].pk)

    rows = report("--actor", "ava", "--since", T2.isoformat(), "--until", T2.isoformat())

    bruno = next(row for row in rows if row["erased"] == "yes")
    assert (bruno["name"], bruno["email"], bruno["phone"]) == ("", "", "")


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(associate):
    mallory = customer_named('=HYPERLINK("http://evil.example")', "@SUM(A1)", phone="+44 7911 123462")
    event("customer.viewed", mallory, T1, associate)

    (row,) = report("--actor", "ava")

    assert row["name"] == '\'=HYPERLINK("http://evil.example") @SUM(A1)'
    assert row["phone"] == "'+447911123462"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_a_cell_starting_like_a_formula_gets_a_leading_apostrophe(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Amara", "", "amara@example.com", "2026-05-01T09:00:00+00:00", "a=b"])
def test_an_ordinary_cell_is_left_alone(value):
    assert safe_cell(value) == value


def test_the_report_can_go_to_a_file_only_its_owner_can_read(accesses, tmp_path):
    target = tmp_path / "breach.csv"
    out, err = io.StringIO(), io.StringIO()

    call_command("breach_report", "--actor", "ava", "--output", str(target), stdout=out, stderr=err)

    assert out.getvalue() == ""
    assert "3 customers written to" in err.getvalue()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 3


def test_every_run_is_audited_with_its_arguments_and_without_personal_data(accesses, associate):
    report("--actor", "ava", "--since", T1.isoformat(), "--until", T3.isoformat())

    run = AuditEvent.objects.get(action="breach_report.run")
    assert (run.actor, run.actor_kind, run.customer) == (None, "system", None)
    assert run.detail["actor_id"] == associate.pk
    assert (run.detail["since"], run.detail["until"]) == (T1.isoformat(), T3.isoformat())
    assert run.detail["customers"] == 2
    assert run.detail["run_by"]
    assert "Amara" not in str(run.detail)
    assert "amara@example.com" not in str(run.detail)


def test_times_without_an_offset_are_read_in_the_server_time_zone(accesses, settings):
    settings.TIME_ZONE = "Europe/London"  # British Summer Time in May: UTC+1

    report("--since", "2026-05-01T10:00", "--until", "2026-05-02")

    run = AuditEvent.objects.get(action="breach_report.run")
    assert run.detail["since"] == "2026-05-01T10:00:00+01:00"
    assert run.detail["until"] == "2026-05-02T00:00:00+01:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give --actor, --since, or both"),
        (("--actor", "nobody"), "No staff account is called 'nobody'"),
        (("--since", "yesterday"), "not an ISO 8601 date"),
        (("--since", T2.isoformat(), "--until", T1.isoformat()), "start time is after the end time"),
    ],
)
def test_the_command_refuses_what_it_cannot_answer_and_records_nothing(args, message, associate):
    with pytest.raises(CommandError, match=message):
        call_command("breach_report", *args, stdout=io.StringIO())

    assert not AuditEvent.objects.filter(action="breach_report.run").exists()


def test_the_report_reads_in_three_queries_however_many_customers(associate, django_assert_num_queries):
    for n in range(5):
        event(
            "customer.viewed",
            customer_named(f"Person{n}", "Example", email=f"p{n}@example.com"),
            T1,
            associate,
        )

    with django_assert_num_queries(3):
        rows = accessed_customers(actor=associate, since=None, until=T3)

    assert len(rows) == 5


def test_customers_who_only_appeared_in_a_list_are_reported_once_per_list(accesses, associate):
    amara, chen = accesses["amara"], accesses["chen"]
    AuditEvent.objects.create(
        occurred_at=T3 + timedelta(hours=1),
        actor=associate,
        actor_kind="staff",
        action="customers.listed",
        detail={"page": "search", "shown": [chen.pk, amara.pk], "count": 2},
    )

    rows = {
        row.name: row for row in accessed_customers(actor=associate, since=T3, until=T3 + timedelta(days=1))
    }

    assert set(rows) == {"Amara Diallo", "Chen Wei"}
    assert rows["Chen Wei"].actions == ("customers.listed",)
    assert rows["Chen Wei"].accesses == 1
    assert rows["Amara Diallo"].actions == ("customers.listed", "note.added")
    assert rows["Amara Diallo"].accesses == 2
