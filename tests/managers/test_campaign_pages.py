"""The managers' campaign pages: a draft with how many it reaches and leaves out, launched, followed
per associate, paused and ended; a stale form is a 409 with nothing changed; another store's campaign
is not hers; associates may not."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from audit.models import AuditEvent
from customers.models import CustomerIdentifier, StoreRelationship
from occasions.models import Campaign, Occasion
from outreach.models import MessageTemplate
from tests.factories import CustomerFactory, IdentifierFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(store, associate, grant, templates):  # type: ignore[no-untyped-def]
    people = []
    for n in range(3):
        customer = CustomerFactory(home_store=store)
        StoreRelationship.objects.create(customer=customer, store=store, assigned_associate=associate)
        IdentifierFactory(customer=customer, kind=CustomerIdentifier.Kind.EMAIL, value=f"c{n}@example.com")
        grant(customer, store=store)
        people.append(customer)
    return people


@pytest.fixture
def templates(db: None) -> None:
    from outreach.defaults import install_default_templates

    install_default_templates(MessageTemplate)


def new(client, store) -> Campaign:  # type: ignore[no-untyped-def]
    template = MessageTemplate.objects.get(name="New arrivals", language="en", store=None)
    response = client.post(
        "/campaigns/new/",
        {
            "name": "Winter coats", "stores": [store.pk], "template": template.pk, "channel": "email",
            "starts_on": "2026-12-07", "ends_on": "2026-12-20",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    return Campaign.objects.get()


def test_a_manager_drafts_launches_follows_pauses_and_ends_a_campaign(client, manager, store, clients):
    client.force_login(manager)
    campaign = new(client, store)

    draft = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "3 clients in the stores&#x27; lists." in draft or "3 clients in the stores' lists." in draft
    assert client.post(f"/campaigns/{campaign.pk}/launch/", {"version": 1}).status_code == 302
    assert Occasion.objects.filter(campaign=campaign).count() == 3
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Progress" in page
    assert "Ava" in page
    assert client.post(f"/campaigns/{campaign.pk}/pause/", {"version": 2}).status_code == 302
    stale = client.post(f"/campaigns/{campaign.pk}/end/", {"version": 2})
    assert stale.status_code == 409
    assert "Nothing was changed" in stale.content.decode()
    assert client.post(f"/campaigns/{campaign.pk}/end/", {"version": 3}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED
    for customer in clients:  # counts only: the pages never name her
        assert customer.family_name not in page


def test_a_bad_form_says_what_is_wrong_and_keeps_nothing(client, manager, store, templates):
    client.force_login(manager)

    response = client.post(
        "/campaigns/new/", {"name": "X", "stores": [store.pk], "channel": "email", "starts_on": "2026-12-20",
                            "ends_on": "2026-12-07", "wishlist_sku": "NOPE"},
    )  # fmt: skip

    assert response.status_code == 422
    assert "No product has this SKU." in response.content.decode()
    assert "It must end on or after the day it starts." in response.content.decode()
    assert not Campaign.objects.exists()


def test_another_stores_campaign_is_not_hers_and_associates_may_not(client, manager, associate, store):
    elsewhere = StoreFactory(code="paris", name="Paris")
    theirs = Campaign.objects.create(
        name="Paris only", channel="email", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 8),
        created_at="2026-12-06T10:00:00Z", created_by=UserFactory(username="pm", stores=[elsewhere]),
    )  # fmt: skip
    theirs.stores.set([elsewhere])
    chain = Campaign.objects.create(
        name="Chain sale", channel="email", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 8),
        created_at="2026-12-06T11:00:00Z",
    )  # fmt: skip
    chain.stores.set([elsewhere, store])
    hers = Campaign.objects.create(
        name="London only", channel="email", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 8),
        created_at="2026-12-05T10:00:00Z",
    )  # fmt: skip
    hers.stores.set([store])
    client.force_login(manager)
    listed = client.get("/campaigns/").content.decode()
    assert "London only" in listed
    assert "Paris only" not in listed
    assert "Chain sale" not in listed  # not all its stores are hers
    assert client.get(f"/campaigns/{theirs.pk}/").status_code == 404
    assert client.post(f"/campaigns/{theirs.pk}/launch/", {"version": 1}).status_code == 404
    client.force_login(associate)
    assert client.get("/campaigns/").status_code == 403


def test_a_campaign_from_a_list_reports_the_rows_it_could_not_use_by_line(client, manager, store, clients):
    client.force_login(manager)
    template = MessageTemplate.objects.get(name="New arrivals", language="en", store=None)
    first = clients[0]
    listed = SimpleUploadedFile(
        "vip.csv", b"email\nC0@example.com\nnot an address\nnobody@example.com\nc1@example.com\n",
        content_type="text/csv",
    )  # fmt: skip
    response = client.post(
        "/campaigns/new/",
        {
            "name": "Private sale", "stores": [store.pk], "template": template.pk, "channel": "email",
            "starts_on": "2026-12-07", "ends_on": "2026-12-20", "client_list": listed, "id_kind": "email",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:800]
    campaign = Campaign.objects.get()
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()

    assert "2 of 4 rows matched a client." in page
    assert "<td>3</td><td>not an id of this kind</td>" in page
    assert "<td>4</td><td>no client of these stores you may see" in page
    assert "2 clients in the stores" in page  # the third client is not on the list
    assert "nobody@example.com" not in page
    assert first.family_name not in page


def test_a_list_that_cannot_be_read_is_a_clear_error_and_keeps_nothing(client, manager, store, templates):
    client.force_login(manager)
    template = MessageTemplate.objects.get(name="New arrivals", language="en", store=None)
    fields = {
        "name": "Private sale", "stores": [store.pk], "template": template.pk, "channel": "email",
        "starts_on": "2026-12-07", "ends_on": "2026-12-20", "id_kind": "external",
    }  # fmt: skip

    no_system = client.post(
        "/campaigns/new/", {**fields, "client_list": SimpleUploadedFile("a.csv", b"C-1\n")}
    )
    assert no_system.status_code == 422
    assert "Say which system gave the ids" in no_system.content.decode()
    binary = SimpleUploadedFile("a.xlsx", b"PK\x03\x04\x00\xff\xfe")
    not_text = client.post("/campaigns/new/", {**fields, "namespace": "crm", "client_list": binary})
    assert not_text.status_code == 422
    assert "save it as CSV UTF-8" in not_text.content.decode()
    assert not Campaign.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_an_oversized_list_is_a_413_before_anything_reads_it(manager, store, templates):
    """Before the CSRF check too, which reads a post's body: without a token, it would be a 403."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    huge = SimpleUploadedFile("big.csv", b"AB1234\n" * 300_000)

    response = client.post("/campaigns/new/", {"name": "Big", "stores": [store.pk], "client_list": huge})

    assert response.status_code == 413
    assert "The app takes files of up to 1 MB, so nothing was saved." in response.content.decode()
    assert 'href="/campaigns/new/"' in response.content.decode()
    assert not Campaign.objects.exists()
    small = client.post("/campaigns/new/", {"name": "Small", "stores": [store.pk]})
    assert small.status_code == 403  # a post under the limit goes on to the CSRF check


def test_a_draft_is_edited_whole_and_a_stale_edit_is_a_409_with_nothing_changed(
    client, manager, store, clients
):
    client.force_login(manager)
    campaign = new(client, store)
    form = client.get(f"/campaigns/{campaign.pk}/edit/")
    assert form.status_code == 200
    assert 'value="Winter coats"' in form.content.decode()
    template = MessageTemplate.objects.get(name="Thank you", language="en", store=None)
    fields = {
        "name": "Winter coats, last sizes", "stores": [store.pk], "template": template.pk, "channel": "email",
        "tier": "private_client", "starts_on": "2026-12-08", "ends_on": "2026-12-24", "version": 1,
    }  # fmt: skip

    assert client.post(f"/campaigns/{campaign.pk}/edit/", fields).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.template, campaign.segment) == (
        fields["name"],
        template,
        {"tier": "private_client"},
    )
    assert campaign.version == 2
    assert AuditEvent.objects.get(action="campaign.updated").detail["changed"] == [
        "name",
        "template_id",
        "ends_on",
        "segment",
        "starts_on",
    ]
    stale = client.post(f"/campaigns/{campaign.pk}/edit/", fields | {"name": "Someone else's", "version": 1})
    assert stale.status_code == 409
    assert "Nothing was changed" in stale.content.decode()
    assert 'value="Winter coats, last sizes"' in stale.content.decode()  # the form as it is now
    campaign.refresh_from_db()
    assert (campaign.name, campaign.version) == ("Winter coats, last sizes", 2)


def test_a_launched_campaigns_message_and_last_day_change_for_whom_is_still_to_contact(
    client, manager, store, clients, monkeypatch
):
    client.force_login(manager)
    campaign = new(client, store)
    assert client.post(f"/campaigns/{campaign.pk}/launch/", {"version": 1}).status_code == 302
    done = Occasion.objects.filter(campaign=campaign).first()
    Occasion.objects.filter(pk=done.pk).update(status=Occasion.Status.DONE)
    thanks = MessageTemplate.objects.get(name="Thank you", language="en", store=None)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 12, 10))

    too_early = client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {"name": "Coats", "template": thanks.pk, "ends_on": "2026-12-09", "version": 2},
    )
    assert too_early.status_code == 422
    assert "It must end today or later" in too_early.content.decode()
    moved = client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {"name": "Coats", "template": thanks.pk, "ends_on": "2026-12-31", "version": 2},
    )
    assert moved.status_code == 302
    still_open = Occasion.objects.filter(campaign=campaign, status=Occasion.Status.OPEN)
    assert {(o.template_id, o.expires_on) for o in still_open} == {(thanks.pk, date(2026, 12, 31))}
    assert {o.detail["campaign"] for o in still_open} == {"Coats"}  # her reason names it anew
    assert Occasion.objects.get(pk=done.pk).expires_on == date(2026, 12, 20)  # what was done stays
    assert client.post(f"/campaigns/{campaign.pk}/end/", {"version": 3}).status_code == 302
    assert client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 404
