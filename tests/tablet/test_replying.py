"""Answering her from her thread: quick answers from the reply templates, a look or a product
attached as a link with its picture (a product becomes a look of its own, kept only if the message
goes), the e-mail's HTML part carrying the pictures, and nothing sensitive on offer."""

import re

from django.core import mail

from audit.models import AuditEvent
from outreach import delivery
from outreach.attachments import choices, link_in
from outreach.looks import add_to_wishlist, create_look, look_url
from outreach.models import Channel, Look, Message, MessageTemplate, Use
from tests.outreach import conftest as outreach
from tests.tablet.test_card_thread import HTMX, card, hers

store = outreach.store
reachable = outreach.reachable
products = outreach.products
templates = outreach.templates
private_category = outreach.private_category
sensitive_product = outreach.sensitive_product


def compose(client, customer, **params: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"{card(customer)}messages/compose/", params, headers=HTMX).content.decode()


def send(client, customer, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"{card(customer)}messages/", data, headers=HTMX)


def test_she_wrote_so_the_quick_answers_come_first_and_fill_the_form(signed_in, reachable, store, templates):
    hers(reachable, store, "Can you keep the coat for Saturday?")
    keep = MessageTemplate.objects.get(use=Use.REPLY, language="en", name="I'll keep it for you")

    form = compose(signed_in, reachable)
    filled = compose(signed_in, reachable, template=str(keep.pk), channel=Channel.SMS)

    assert "Quick answers" in form
    assert f"template={keep.pk}&amp;channel=sms" in form
    assert "Of course, Zoë: I have put it aside for you." in filled
    assert re.search(r'<input type="radio" name="channel" value="sms"[^>]*checked', filled)


def test_no_quick_answers_before_she_has_written(signed_in, reachable, store, templates):
    assert "Quick answers" not in compose(signed_in, reachable)


def test_a_product_attached_becomes_a_look_of_its_own_linked_at_the_end_of_the_text(
    signed_in, reachable, store, products
):
    hers(reachable, store, "Is the coat back?")
    coat = products["coat"]
    coat.image_url = "/product-images/coat.svg"
    coat.save()
    assert f"product:{coat.pk}" not in dict(choices(reachable))  # her suggestions and wishlist only
    add_to_wishlist(customer=reachable, product_id=coat.pk, by=None, store=store)

    response = send(
        signed_in, reachable, channel=Channel.SMS, body="It is, here it is", attach=f"product:{coat.pk}",
        answering="1",
    )  # fmt: skip

    assert response.status_code == 200, response.content.decode()[:400]
    look = Look.objects.get()
    assert (look.title, [i.product_id for i in look.items.all()]) == ("Linen coat", [coat.pk])
    message = Message.objects.get()
    assert message.look == look
    assert message.use == Use.REPLY
    link = link_in(message.body)
    assert message.body == f"It is, here it is\n{link}"
    assert link.split("/l/")[1].split(":")[0] == look_url(look).split("/l/")[1].split(":")[0]  # her look
    page = signed_in.get(card(reachable)).content.decode()
    assert "Attached: Linen coat" in page
    assert "/product-images/coat.svg" in page.split('class="thread plain"')[1]


def test_an_email_with_a_look_carries_its_pictures_in_its_html_part(signed_in, reachable, store, products):
    products["coat"].image_url = "/product-images/coat.svg"
    products["coat"].save()
    look = create_look(
        by=None,  # type: ignore[arg-type]
        customer=reachable, store=store, title="For the wedding", note="",
        product_ids=[products["coat"].pk, products["scarf"].pk],
    )  # fmt: skip

    response = send(
        signed_in, reachable, channel=Channel.EMAIL, subject="For you", body="Some ideas",
        attach=f"look:{look.public_id}",
    )  # fmt: skip
    assert response.status_code == 200
    delivery.deliver(Message.objects.get().pk)

    sent = mail.outbox[-1]
    html, kind = sent.alternatives[0]  # type: ignore[attr-defined]
    assert kind == "text/html"
    link = link_in(Message.objects.get().body)
    payload = look_url(look).split("/l/")[1].split(":")[0]
    assert link.split("/l/")[1].startswith(f"{payload}:")  # the link she was sent, to her look
    assert f'href="{link}"' in html
    assert link in sent.body  # the text part has the link too
    assert 'alt="Linen coat"' in html
    assert "/product-images/coat.svg" in html
    assert "http" in html.split('src="')[1][:8]  # an address from outside the site


def test_a_refused_message_keeps_no_look_made_for_its_product(signed_in, reachable, store, products):
    outreach.set_quiet_hours_around(store)
    add_to_wishlist(customer=reachable, product_id=products["belt"].pk, by=None, store=store)

    response = send(
        signed_in, reachable, channel=Channel.SMS, body="Here", attach=f"product:{products['belt'].pk}"
    )

    assert response.status_code == 409  # the store's quiet hours: the associate is asked to wait
    assert "quiet hours" in response.content.decode()
    assert not Look.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="look.created").exists()


def test_a_sensitive_product_is_never_offered_nor_accepted(
    signed_in, reachable, store, sensitive_product, products
):
    add_to_wishlist(customer=reachable, product_id=products["belt"].pk, by=None, store=store)

    offered = dict(choices(reachable))
    response = send(
        signed_in, reachable, channel=Channel.SMS, body="Here", attach=f"product:{sensitive_product.pk}"
    )

    assert f"product:{products['belt'].pk}" in offered
    assert f"product:{sensitive_product.pk}" not in offered
    assert response.status_code == 422
    assert not Look.objects.exists()
