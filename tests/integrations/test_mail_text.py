"""Her new words in a reply: the quoted thread, its attribution (as each common client writes it)
and her signature taken off; an HTML-only mail read up to its quote."""

import pytest

from integrations.inbound_adapters.mail_text import her_new_text, text_of_html


@pytest.mark.parametrize(
    "attribution",
    [
        "On Fri, 5 Dec 2026 at 10:00, London Marylebone <reply+abc@reply.shop.example> wrote:",
        "On Fri, 5 Dec 2026 at 10:00, London Marylebone <\nreply+abc@reply.shop.example> wrote:",  # Gmail
        "Le ven. 5 déc. 2026 à 10:00, London Marylebone <reply+abc@reply.shop.example> a écrit :",
        "-----Original Message-----",
        "-----Message d'origine-----",
        "________________________________\nFrom: London Marylebone",
        "From: London Marylebone <reply+abc@reply.shop.example>\nSent: Friday, 5 December 2026 10:00",
    ],
)
def test_everything_from_the_attribution_on_is_taken_off(attribution):
    text = f"Yes, Saturday works.\r\n\r\n{attribution}\r\nThe linen coat is back in your size.\r\n"

    assert her_new_text(text) == "Yes, Saturday works."


def test_quoted_lines_are_taken_off_and_her_answers_between_them_kept():
    text = "> Saturday or Sunday?\nSaturday.\n\n> Size 38?\n>> (the one you tried)\nYes, 38.\n"

    assert her_new_text(text) == "Saturday.\n\nYes, 38."


@pytest.mark.parametrize("delimiter", ["-- ", "--"])
def test_her_signature_is_taken_off(delimiter):
    text = f"See you then!\n{delimiter}\nZoë Okafor\n+44 7911 123456\n"

    assert her_new_text(text) == "See you then!"


def test_a_line_that_merely_starts_with_on_is_hers():
    text = "On Saturday I can come at ten.\nWill you be there?"

    assert her_new_text(text) == text


def test_nothing_is_left_of_a_mail_that_only_quotes():
    assert her_new_text("> The linen coat is back in your size.\n") == ""


def test_an_html_only_mail_is_read_up_to_its_quote():
    markup = (
        "<html><head><style>p { color: red }</style></head><body>"
        "<div>Yes &amp; thank you!<br>Zo&euml;</div>"
        '<div class="gmail_quote">On Fri, 5 Dec 2026 London Marylebone wrote:'
        "<blockquote>The linen coat is back.</blockquote></div></body></html>"
    )

    assert her_new_text(text_of_html(markup)) == "Yes & thank you!\nZoë"
