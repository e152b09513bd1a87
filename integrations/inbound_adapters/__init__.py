"""Providers' payloads, read into messages and receipts the outreach app understands.

An adapter is a name (the provider's, kept with every message and receipt so ids are unique per
provider), the setting holding the secret its calls are signed with, the setting holding the
largest body it takes, whether it reads url-encoded forms as well as JSON, and ``parse``, which
turns a payload into ``Parsed``: the messages customers sent and the delivery receipts it carries.
It raises ``Malformed`` with a sentence a provider's developer can act on. Authentication (the
signed timestamp) is the same for all, in ``integrations.webhook_signing``. Another provider is one
module beside these, each of which writes out its payloads' shapes: ``sms`` (``/sms/replies/``,
``/sms/status/``), ``whatsapp`` (``/whatsapp/events/``) and ``mail`` (``/mail/inbound/``).
"""

from integrations.inbound_adapters.base import Adapter, Malformed, Parsed
from integrations.inbound_adapters.mail import MailAdapter
from integrations.inbound_adapters.sms import SmsAdapter
from integrations.inbound_adapters.whatsapp import WhatsAppAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter for adapter in (SmsAdapter(), WhatsAppAdapter(), MailAdapter())
}

__all__ = ["ADAPTERS", "Adapter", "Malformed", "Parsed"]
