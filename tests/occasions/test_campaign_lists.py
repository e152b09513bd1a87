"""A campaign from an uploaded list of ids: each row matched or reported by line and reason (never by
id); unknown, erased, unconsenting and other stores' clients are one answer; a merged profile's id
counts as the one it was merged into; the list narrows the campaign, the segment narrows the list; a
file that cannot be read is refused whole, nothing written."""

import io
from datetime import date

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from consent.models import PurposeCode
from customers.models import CustomerIdentifier, StoreRelationship, ValueTier
from identity.merging import merge_customers
from identity.models import CustomerMerge
from occasions import campaigns
from occasions.campaign_lists import ClientList, IdKind, ListFileError, problem_rows
from occasions.models import Campaign, CampaignEntry, Occasion
from privacy.erasure import erase_customer
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db


def client(store, grant, *, loyalty, tier=ValueTier.CLIENT, purposes=None):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store)
    StoreRelationship.objects.create(customer=customer, store=store, tier=tier)
    IdentifierFactory(
        customer=customer, kind=CustomerIdentifier.Kind.EMAIL, value=f"c{customer.pk}@example.com"
    )
    IdentifierFactory(customer=customer, kind=CustomerIdentifier.Kind.LOYALTY, value=loyalty)
    grant(customer, store=store, **({"purposes": purposes} if purposes else {}))
    return customer


def create(manager, store, text: str | bytes, kind=IdKind.LOYALTY, namespace="", **segment) -> Campaign:  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return campaigns.create_draft(
        by=manager, name="Private sale", stores=[store], segment=campaigns.Segment(**segment), template=None,
        channel="email", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 20),
        client_list=ClientList(io.BytesIO(data), kind, namespace),
    )  # fmt: skip


def test_each_row_is_matched_or_reported_by_line_and_reason(store, other_store, manager, grant, rules):
    ana = client(store, grant, loyalty="AB1234")
    bea = client(store, grant, loyalty="CD5678")
    unlisted = client(store, grant, loyalty="EF9012")
    erased = client(store, grant, loyalty="GH3456")
    elsewhere = client(other_store, grant, loyalty="IJ7890")
    no_profile = client(store, grant, loyalty="KL1234", purposes=[PurposeCode.CONTACT_EMAIL])
    erase_customer(erased.pk)
    text = (
        "loyalty\n"
        "ab-12 34\n"  # 2: Ana, written as a card printer would
        "CD5678\n"  # 3: Bea
        "x\n"  # 4: not a loyalty number
        "AB1234\n"  # 5: Ana again
        "ZZ0000\n"  # 6: nobody has it
        "GH3456\n"  # 7: erased
        "IJ7890\n"  # 8: a client of another store
        "KL1234\n"  # 9: has not agreed to a profile
        "\n"  # 10: an empty line is no row
    )
    campaign = create(manager, store, text)

    assert set(CampaignEntry.objects.filter(campaign=campaign).values_list("customer_id", "line")) == {
        (ana.pk, 2),
        (bea.pk, 3),
    }
    assert campaign.list_report["rows"] == 8
    assert campaign.list_report["matched"] == 2
    assert campaign.list_report["counts"] == {"invalid": 1, "repeated": 1, "not_found": 4}
    rows = problem_rows(Campaign.objects.get(pk=campaign.pk))
    assert [line for line, _ in rows] == [4, 5, 6, 7, 8, 9]
    assert rows[1] == (5, "the same client as line 2")
    # Unknown, erased, another store's and unconsenting are one answer: a list learns nothing.
    assert len({sentence for line, sentence in rows if line >= 6}) == 1
    # The report and the audit event hold line numbers and counts, never an id from the file.
    stored = str(campaign.list_report) + str(AuditEvent.objects.get(action="campaign.created").detail)
    assert "AB1234" not in stored
    assert "ZZ0000" not in stored
    assert "GH3456" not in stored
    # Only the listed are in the campaign; the store's other clients are not.
    assert campaigns.preview(manager, campaign).included == 2
    campaigns.launch(by=manager, campaign=campaign, version=1)
    assert set(Occasion.objects.filter(campaign=campaign).values_list("customer_id", flat=True)) == {
        ana.pk,
        bea.pk,
    }
    assert not Occasion.objects.filter(customer__in=[unlisted, elsewhere, no_profile]).exists()


def test_the_segment_narrows_the_list_and_a_client_erased_after_the_upload_leaves_it(
    store, manager, grant, rules
):
    top = client(store, grant, loyalty="AB1234", tier=ValueTier.PRIVATE_CLIENT)
    other = client(store, grant, loyalty="CD5678")
    gone = client(store, grant, loyalty="EF9012", tier=ValueTier.PRIVATE_CLIENT)
    campaign = create(manager, store, "AB1234\nCD5678\nEF9012\n", tier=ValueTier.PRIVATE_CLIENT)
    erase_customer(gone.pk)

    assert not CampaignEntry.objects.filter(customer=gone).exists()
    campaigns.launch(by=manager, campaign=campaign, version=1)
    assert list(Occasion.objects.filter(campaign=campaign).values_list("customer_id", flat=True)) == [top.pk]
    assert other.pk != top.pk


def test_client_numbers_with_a_merged_profile_and_two_ids_of_one_person(store, manager, grant, rules):
    ana = client(store, grant, loyalty="AB1234")
    twin = client(store, grant, loyalty="CD5678")
    merge_customers(survivor=ana, merged=twin, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager)
    text = f"\ufeffClient number (from the CRM)\n{twin.public_id}\n{ana.public_id}\nnot-a-number\n"
    campaign = create(manager, store, text, kind=IdKind.PUBLIC)

    assert list(CampaignEntry.objects.filter(campaign=campaign).values_list("customer_id", "line")) == [
        (ana.pk, 2)
    ]
    assert problem_rows(campaign) == [
        (3, "the same client as line 2"),
        (4, "not an id of this kind"),
    ]


def test_another_systems_ids_are_matched_in_their_namespace(store, manager, grant, rules):
    ana = client(store, grant, loyalty="AB1234")
    IdentifierFactory(customer=ana, kind=CustomerIdentifier.Kind.EXTERNAL, namespace="crm", value="C-001")
    campaign = create(manager, store, "C-001\nC-002\n", kind=IdKind.EXTERNAL, namespace="crm")
    assert list(CampaignEntry.objects.filter(campaign=campaign).values_list("customer_id", flat=True)) == [
        ana.pk
    ]
    other = create(manager, store, "C-001\n", kind=IdKind.EXTERNAL, namespace="pos")
    assert not CampaignEntry.objects.filter(campaign=other).exists()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"AB1234\n\xff\xfe\n", "not UTF-8"),
        (b"AB1234\x00\n", "not text"),
        (b"loyalty\n\n", "no id"),
        (b"AB1234\nCD5678\nEF9012\n", "more than 2 ids"),
        (b"A" * 2048, "larger than"),
    ],
)
@override_settings(CAMPAIGN_LIST_MAX_ROWS=2, CAMPAIGN_LIST_MAX_BYTES=1024)
def test_a_file_that_cannot_be_read_is_refused_whole(store, manager, grant, rules, data, says):
    client(store, grant, loyalty="AB1234")
    with pytest.raises(ListFileError, match=says):
        create(manager, store, data)
    assert not Campaign.objects.exists()
    assert not CampaignEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign.created").exists()


def test_a_list_from_a_french_spreadsheet_with_national_phone_numbers(store, manager, grant, rules):
    store.country = "FR"
    store.save()
    ana = client(store, grant, loyalty="AB1234")
    IdentifierFactory(customer=ana, kind=CustomerIdentifier.Kind.PHONE, value="+33612345678")
    text = "téléphone;nom\n06 12 34 56 78;Dupont\n07 00;Martin\n"
    campaign = create(manager, store, text, kind=IdKind.PHONE)

    assert list(CampaignEntry.objects.filter(campaign=campaign).values_list("customer_id", "line")) == [
        (ana.pk, 2)
    ]
    assert campaign.list_report["header"] is True
    assert problem_rows(campaign) == [(3, "not an id of this kind")]


def test_a_client_number_of_a_profile_merged_twice_leads_to_the_last(store, manager, grant, rules):
    ana, first, second = (client(store, grant, loyalty=f"AB123{n}") for n in range(3))
    merge_customers(survivor=second, merged=first, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager)
    merge_customers(survivor=ana, merged=second, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager)

    campaign = create(manager, store, f"{first.public_id}\n", kind=IdKind.PUBLIC)

    assert list(CampaignEntry.objects.filter(campaign=campaign).values_list("customer_id", flat=True)) == [
        ana.pk
    ]


def test_a_quote_left_open_is_refused_whole(store, manager, grant, rules):
    with pytest.raises(ListFileError, match="Line 2 cannot be read as CSV"):
        create(manager, store, 'AB1234\n"CD5678' + "x" * 200_000 + "\n")
    assert not Campaign.objects.exists()


def test_a_draft_from_a_list_keeps_its_stores(store, other_store, manager, grant, rules):
    client(store, grant, loyalty="AB1234")
    campaign = create(manager, store, "AB1234\n")
    changes = campaigns.Changes(
        "Private sale", None, date(2026, 12, 20),
        campaigns.DraftChanges([store, other_store], campaigns.Segment(), "email", date(2026, 12, 7)),
    )  # fmt: skip

    with pytest.raises(campaigns.ListedStores):
        campaigns.update(by=manager, campaign=campaign, version=1, changes=changes)
    assert list(Campaign.objects.get().stores.all()) == [store]
