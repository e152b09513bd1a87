"""The nightly search for likely duplicates: similar names plus a similar phone, e-mail or birthday."""

from datetime import date

import pytest
from django.utils import timezone

from identity.duplicates import find_duplicates
from identity.models import DuplicateCandidate
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db


def person(given: str, family: str, *, phone: str = "", email: str = "", born: date | None = None):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(given_name=given, family_name=family, birth_date=born)
    if phone:
        IdentifierFactory(customer=customer, kind="phone", value=phone)
    if email:
        IdentifierFactory(customer=customer, kind="email", value=email)
    return customer


def pairs() -> dict[tuple[int, int], DuplicateCandidate]:
    return {(c.first_id, c.second_id): c for c in DuplicateCandidate.objects.all()}


def test_similar_names_with_a_similar_phone_email_or_birthday_are_queued_with_their_evidence() -> None:
    caroline = person("Caroline", "Dupont", phone="+447911123456", born=date(1980, 3, 1))
    carolin = person("Caroline", "Dupond", phone="+33611123456")  # same last six digits
    typo = person("Carolyn", "Dupont", phone="+447911123499")  # differs in the last two
    webmail = person("Anna", "Schmidt", email="anna.schmidt@gmail.com")
    work = person("Anna", "Schmidt-Weber", email="anna.schmidt@firma.de")
    born = person("Caroline", "Dupont", born=date(1980, 3, 1))

    queued = find_duplicates()

    found = pairs()
    assert set(found) == {
        (caroline.pk, carolin.pk),
        (caroline.pk, typo.pk),
        (webmail.pk, work.pk),
        (caroline.pk, born.pk),
    }  # Caroline Dupond and Carolyn Dupont share no key with each other, nor with the second Caroline
    assert queued == len(found)
    assert found[(caroline.pk, carolin.pk)].evidence["signals"] == ["phone_end"]
    assert found[(caroline.pk, typo.pk)].evidence["signals"] == ["phone_start"]
    assert found[(webmail.pk, work.pk)].evidence["signals"] == ["email_name"]
    assert found[(caroline.pk, born.pk)].evidence == {"name": 1.0, "signals": ["birth_date"]}
    # No value of hers is written into the evidence, only which signals matched and how well.
    assert "Caroline" not in str([c.evidence for c in found.values()])
    assert "123456" not in str([c.evidence for c in found.values()])


def test_a_shared_birthday_compares_names_that_begin_alike_in_either_part() -> None:
    born = date(1975, 1, 1)
    catherine = person("Catherine", "Dupont", born=born)
    katherine = person("Katherine", "Dupont", born=born)  # the family names begin alike
    anna = person("Anna", "OConnor", born=born)
    o_connor = person("Anna", "O'Connor", born=born)  # the given names begin alike
    person("Bruno", "Keller", born=born)  # born that day too, a name like no one's

    find_duplicates()

    assert set(pairs()) == {(catherine.pk, katherine.pk), (anna.pk, o_connor.pk)}
    assert {tuple(c.evidence["signals"]) for c in pairs().values()} == {("birth_date",)}


def test_different_people_who_happen_to_share_a_key_are_not_queued() -> None:
    person("Caroline", "Dupont", phone="+447911123456", born=date(1980, 3, 1))
    person("Mohammed", "Khan", phone="+33611123456", born=date(1980, 3, 1))
    person("Anna", "Schmidt", email="info@example.com")
    person("Peter", "Jones", email="info@example.org")  # the same (short) name before the @

    assert find_duplicates() == 0


def test_a_decided_pair_stays_decided_and_an_open_one_is_refreshed() -> None:
    a = person("Caroline", "Dupont", phone="+447911123456")
    b = person("Caroline", "Dupond", phone="+33611123456")
    find_duplicates()
    DuplicateCandidate.objects.update(status=DuplicateCandidate.Status.DISTINCT)

    find_duplicates()

    assert DuplicateCandidate.objects.get(first=a, second=b).status == DuplicateCandidate.Status.DISTINCT
    assert DuplicateCandidate.objects.count() == 1


def test_erased_profiles_are_not_candidates() -> None:
    person("Caroline", "Dupont", phone="+447911123456")
    b = person("Caroline", "Dupond", phone="+33611123456")
    b.erased_at = timezone.now()
    b.save()
    assert find_duplicates() == 0


def test_the_nightly_task_is_scheduled_and_queues_pairs(settings) -> None:  # type: ignore[no-untyped-def]
    from identity.tasks import find_duplicates as task

    assert settings.CELERY_BEAT_SCHEDULE["find-duplicates"]["task"] == task.name
    person("Caroline", "Dupont", phone="+447911123456")
    person("Caroline", "Dupond", phone="+33611123456")
    assert task.delay().get() == 1
