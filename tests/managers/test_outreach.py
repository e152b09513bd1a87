"""The managers' outreach pages: message templates and what was sent from their stores."""

from django.utils import timezone

from audit.models import AuditEvent
from outreach.models import Message, MessageTemplate
from tests.outreach import conftest as outreach

# Outreach's fixtures: a store with no quiet hours unless a test sets them, a reachable customer, the
# default templates.
store = outreach.store
reachable = outreach.reachable
templates = outreach.templates


def test_only_managers_edit_templates(client, associate, templates):
    client.force_login(associate)

    assert client.get("/outreach/templates/").status_code == 403
    assert client.post("/outreach/templates/new/", {"name": "Mine"}).status_code == 403


def test_a_manager_writes_a_store_template_and_unknown_merge_fields_are_refused(
    client, manager, store, templates
):
    client.force_login(manager)
    data = {
        "name": "Private sale",
        "use": "outreach",
        "language": "en",
        "subject": "",
        "is_active": "on",
        "for_store": "on",
        "version": "0",
    }

    wrong = client.post("/outreach/templates/new/", {**data, "body": "Hello {first_name} {password}"})
    right = client.post("/outreach/templates/new/", {**data, "body": "Hello {first_name}, join us."})

    assert wrong.status_code == 422
    assert "{password}" in wrong.content.decode()
    assert right.status_code == 302
    template = MessageTemplate.objects.get(name="Private sale")
    assert template.store == store
    assert AuditEvent.objects.filter(action="message_template.saved", actor=manager).exists()


def test_a_template_saved_meanwhile_by_someone_else_is_not_overwritten(client, manager, templates):
    client.force_login(manager)
    template = MessageTemplate.objects.get(name="Thank you", language="en", store=None)
    data = {
        "name": "Thank you",
        "use": "outreach",
        "language": "en",
        "subject": "Thanks",
        "is_active": "on",
        "version": str(template.version),
    }

    first = client.post(f"/outreach/templates/{template.pk}/", {**data, "body": "First edit"})
    second = client.post(f"/outreach/templates/{template.pk}/", {**data, "body": "Second edit"})

    assert first.status_code == 302
    assert second.status_code == 409
    template.refresh_from_db()
    assert template.body == "First edit"


def test_the_managers_message_list_hides_customers_who_withdrew(
    client, manager, reachable, consenting_customer, store, associate, withdraw
):
    now = timezone.now()
    for customer in (reachable, consenting_customer):
        Message.objects.create(
            customer=customer,
            store=store,
            sent_by=associate,
            use="outreach",
            channel="sms",
            body="x",
            status=Message.Status.FAILED,
            last_error="The SMS provider refused the message (400)",
            send_after=now,
            created_at=now,
        )
    consenting_customer.given_name = "Hélène"
    consenting_customer.save()
    withdraw(consenting_customer)
    client.force_login(manager)

    page = client.get("/outreach/messages/", {"status": "failed"}).content.decode()

    assert "Zoë" in page
    assert "refused the message" in page
    assert "Hélène" not in page
