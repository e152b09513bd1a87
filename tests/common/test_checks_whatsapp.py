"""The deployment check says when her WhatsApp messages come in but our answers would not go out."""

from common.checks import whatsapp_answers_are_sent


def ids() -> set[str]:
    return {message.id for message in whatsapp_answers_are_sent()}


def test_whatsapp_received_but_answered_to_the_console_is_reported(settings):
    settings.WHATSAPP_INBOUND_SECRET = "s3cret"
    settings.WHATSAPP_BACKEND = "common.whatsapp.ConsoleWhatsAppBackend"

    assert ids() == {"common.W005"}


def test_whatsapp_answered_through_the_cloud_api_or_not_connected_at_all_is_fine(settings):
    settings.WHATSAPP_INBOUND_SECRET = "s3cret"
    settings.WHATSAPP_BACKEND = "common.whatsapp.HttpWhatsAppBackend"
    assert ids() == set()

    settings.WHATSAPP_INBOUND_SECRET = ""
    settings.WHATSAPP_BACKEND = "common.whatsapp.ConsoleWhatsAppBackend"
    assert ids() == set()
