"""Outreach rows (messages, looks, wishlists, appointments) go wherever she goes: her erasure deletes
them, her download lists them, a merge moves them (and an undo moves them back), and what she liked
on a look or put on her wishlist counts towards the brands suggested to her."""

import io
import json
import zipfile

import pytest

from catalog.models import Category, Product
from identity.merging import merge_customers, undo_merge
from identity.models import CustomerMerge
from outreach.looks import add_to_wishlist, create_look
from outreach.models import (
    Appointment,
    Conversation,
    InboundMessage,
    Look,
    LookItem,
    Message,
    WishlistItem,
)
from privacy.erasure import erase_customer
from privacy.export import build_zip, subject_data
from tests.factories import CustomerFactory
from tests.outreach.rows import message_of, outreach_of
from tests.privacy.conftest import build_subject, tables_mentioning

pytestmark = pytest.mark.django_db


# Erasure


def test_erasure_deletes_her_messages_looks_wishlist_and_appointments(associate, store, grant, products):
    subject = build_subject(by=associate, store=store, grant=grant)
    customer = subject.customer
    outreach_of(customer, store, associate, products)
    someone_else = CustomerFactory()
    theirs = outreach_of(someone_else, store, associate, products, days=3)
    assert "outreach_message" in tables_mentioning()  # the sweep sees her name in a message and a look

    report = erase_customer(customer.pk)

    assert not Message.objects.filter(customer=customer).exists()
    assert not Look.objects.filter(customer=customer).exists()
    assert not LookItem.objects.filter(look__customer=customer).exists()
    assert not WishlistItem.objects.filter(customer=customer).exists()
    assert not Appointment.objects.filter(customer=customer).exists()
    assert not Appointment.products.through.objects.filter(appointment__customer=customer).exists()
    assert tables_mentioning() == {}
    deleted = report.counts["deleted"]
    assert {table: deleted[table] for table in deleted if table.startswith("outreach_")} == {
        "outreach_message": 2,
        "outreach_inboundmessage": 1,
        "outreach_conversation": 1,
        "outreach_lookitem": 2,
        "outreach_look": 1,
        "outreach_appointment_products": 1,
        "outreach_appointment": 1,
        "outreach_wishlistitem": 1,
    }
    # Someone else's rows and the catalogue stay.
    assert Message.objects.filter(customer=someone_else).count() == 2
    assert LookItem.objects.filter(look=theirs["look"]).count() == 2
    assert Appointment.objects.get(pk=theirs["appointment"].pk).products.count() == 1
    assert Product.objects.filter(pk__in=[p.pk for p in products.values()]).count() == 3


def test_a_second_erasure_finds_no_outreach_rows_left(associate, store, consenting_customer, products):
    outreach_of(consenting_customer, store, associate, products)
    erase_customer(consenting_customer.pk)

    again = erase_customer(consenting_customer.pk)

    assert all(
        count == 0 for table, count in again.counts["deleted"].items() if table.startswith("outreach_")
    )


# Her download


def test_her_download_lists_her_messages_looks_wishlist_and_appointments_and_names_no_associate(
    associate, store, consenting_customer, products
):
    outreach_of(consenting_customer, store, associate, products)

    data_ = subject_data(consenting_customer)

    assert [(m["body"], m["channel"], m["use"], m["status"], m["store"]) for m in data_["messages"]] == [
        ("See you on Friday", "email", "outreach", "sent", "London Marylebone"),
        ("Dear Zoë, a look for you", "email", "outreach", "sent", "London Marylebone"),
    ]
    assert all(
        m["sent_at"] and m["written_at"] and m["subject"] == "The coat is in" for m in data_["messages"]
    )
    [look] = data_["looks"]
    assert (look["title"], look["note"], look["store"]) == (
        "For the wedding",
        "Zoë, these go together",
        store.name,
    )
    assert [(i["product"], i["liked"]) for i in look["products"]] == [
        ("Linen coat", True),
        ("Silk scarf", False),
    ]
    assert [(w["product"], w["added_by"], w["store"]) for w in data_["wishlist"]] == [
        ("Leather belt", "associate", store.name)
    ]
    [appointment] = data_["appointments"]
    assert (appointment["store"], appointment["purpose"], appointment["status"], appointment["products"]) == (
        store.name,
        "fitting",
        "booked",
        ["Linen coat"],
    )
    assert appointment["starts_at"] < appointment["ends_at"]
    [reply] = data_["replies"]
    assert (reply["body"], reply["channel"], reply["store"]) == (
        "Thanks, it's Zoë — keep it for Saturday",
        "sms",
        store.name,
    )
    text = json.dumps(data_, ensure_ascii=False)
    assert associate.first_name not in text
    assert associate.username not in text


def test_her_download_has_a_messages_spreadsheet(associate, store, consenting_customer, products):
    outreach_of(consenting_customer, store, associate, products)

    with zipfile.ZipFile(io.BytesIO(build_zip(consenting_customer))) as archive:
        rows = archive.read("messages.csv").decode("utf-8-sig").splitlines()

    assert rows[0] == "written_at,sent_at,channel,use,status,store,subject,body"
    assert len(rows) == 3
    assert rows[1].endswith("See you on Friday")
    with zipfile.ZipFile(io.BytesIO(build_zip(consenting_customer))) as archive:
        replies = archive.read("replies.csv").decode("utf-8-sig").splitlines()
    assert replies[0] == "received_at,sent_at,channel,from,store,withdrew_consent,subject,body"
    assert "keep it for Saturday" in replies[1]


def test_the_privacy_centre_page_gets_the_newest_messages_and_their_count(
    associate, store, consenting_customer, products
):
    outreach_of(consenting_customer, store, associate, products)

    page = subject_data(consenting_customer, recent=1)

    assert [m["body"] for m in page["messages"]] == ["See you on Friday"]
    assert page["message_count"] == 2


def test_a_product_later_made_sensitive_is_listed_in_her_own_download_as_her_orders_are(
    associate, store, consenting_customer, products
):
    """Her download masks nothing of her own (her order lines are listed by name whatever their
    category); looks and wishlists refuse sensitive products, but a category can become sensitive."""
    add_to_wishlist(customer=consenting_customer, product_id=products["belt"].pk, by=None, store=store)
    health = Category.objects.create(
        code="health", name="Health", sensitive=True, is_sensitive=True, masked_as="health item"
    )
    Product.objects.filter(pk=products["belt"].pk).update(category=health)

    wishlist = subject_data(consenting_customer)["wishlist"]

    assert [(w["product"], w["added_by"]) for w in wishlist] == [("Leather belt", "customer")]


# Merging


def test_a_merge_moves_her_outreach_rows_and_a_product_on_both_wishlists_does_not_stop_it(
    associate, manager, store, consenting_customer, products
):
    twin = CustomerFactory(given_name="Zoe", family_name="Okafor")
    hers = add_to_wishlist(customer=consenting_customer, product_id=products["belt"].pk, by=None, store=store)
    moved = outreach_of(twin, store, associate, products)  # the belt is on the twin's wishlist too
    scarf = add_to_wishlist(customer=twin, product_id=products["scarf"].pk, by=associate, store=store)

    merge = merge_customers(
        survivor=consenting_customer, merged=twin, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager
    )

    assert Look.objects.get(pk=moved["look"].pk).customer == consenting_customer
    assert LookItem.objects.filter(look=moved["look"]).count() == 2
    assert Appointment.objects.get(pk=moved["appointment"].pk).customer == consenting_customer
    assert Appointment.objects.get(pk=moved["appointment"].pk).products.count() == 1
    assert set(Message.objects.filter(customer=consenting_customer)) == set(moved["messages"])
    # Her belt stays hers; the twin's duplicate stays on the merged profile, which is hers too.
    assert set(WishlistItem.objects.filter(customer=consenting_customer)) == {hers, scarf}
    assert WishlistItem.objects.get(pk=moved["wished"].pk).customer == twin
    assert merge.moved["outreach_wishlistitem"] == [scarf.pk]
    assert merge.moved["outreach_look"] == [moved["look"].pk]
    assert merge.moved["outreach_appointment"] == [moved["appointment"].pk]
    assert merge.moved["outreach_message"] == sorted(m.pk for m in moved["messages"])
    # Her replies move; the twin's conversation with the store moves too (the survivor had none).
    assert InboundMessage.objects.get(pk=moved["reply"].pk).customer == consenting_customer
    assert Conversation.objects.get(pk=moved["conversation"].pk).customer == consenting_customer
    assert [r["body"] for r in subject_data(consenting_customer)["replies"]] == [moved["reply"].body]
    assert [w["product"] for w in subject_data(consenting_customer)["wishlist"]].count("Leather belt") == 2


def test_undo_moves_back_exactly_the_outreach_rows_that_moved(
    associate, manager, store, consenting_customer, products
):
    twin = CustomerFactory()
    moved = outreach_of(twin, store, associate, products)
    merge = merge_customers(
        survivor=consenting_customer, merged=twin, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager
    )
    # Added to the survivor after the merge: stays hers.
    later_look = create_look(
        by=associate,
        customer=consenting_customer,
        store=store,
        title="Later",
        note="",
        product_ids=[products["belt"].pk],
    )
    later_message = message_of(consenting_customer, store, associate, "After the merge")
    later_wish = add_to_wishlist(
        customer=consenting_customer, product_id=products["coat"].pk, by=associate, store=store
    )

    undo_merge(merge=merge, reason="her sister", by=manager)

    assert Look.objects.get(pk=moved["look"].pk).customer == twin
    assert Appointment.objects.get(pk=moved["appointment"].pk).customer == twin
    assert WishlistItem.objects.get(pk=moved["wished"].pk).customer == twin
    assert set(Message.objects.filter(customer=twin)) == set(moved["messages"])
    assert InboundMessage.objects.get(pk=moved["reply"].pk).customer == twin
    assert Conversation.objects.get(pk=moved["conversation"].pk).customer == twin
    assert Look.objects.get(pk=later_look.pk).customer == consenting_customer
    assert Message.objects.get(pk=later_message.pk).customer == consenting_customer
    assert WishlistItem.objects.get(pk=later_wish.pk).customer == consenting_customer


def test_erasing_her_erases_the_outreach_rows_left_on_a_profile_merged_into_her(
    associate, manager, store, consenting_customer, products
):
    twin = CustomerFactory()
    add_to_wishlist(customer=consenting_customer, product_id=products["belt"].pk, by=None, store=store)
    add_to_wishlist(customer=twin, product_id=products["belt"].pk, by=None, store=store)
    merge_customers(
        survivor=consenting_customer, merged=twin, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager
    )

    erase_customer(consenting_customer.pk)

    assert not WishlistItem.objects.filter(customer__in=[consenting_customer, twin]).exists()


def test_a_merge_where_both_wrote_to_the_store_keeps_one_conversation_each_and_moves_every_reply(
    associate, manager, store, consenting_customer, products
):
    mine = outreach_of(consenting_customer, store, associate, products)
    twin = CustomerFactory(given_name="Zoe")
    theirs = outreach_of(twin, store, associate, products, days=3)

    merge_customers(
        survivor=consenting_customer, merged=twin, kind=CustomerMerge.Kind.MANUAL, reason="same", by=manager
    )

    assert set(InboundMessage.objects.filter(customer=consenting_customer)) == {
        mine["reply"],
        theirs["reply"],
    }
    # One conversation per customer and store: the twin's stays with the merged profile (hers too).
    assert Conversation.objects.get(pk=theirs["conversation"].pk).customer == twin
    assert Conversation.objects.filter(customer=consenting_customer).count() == 1
