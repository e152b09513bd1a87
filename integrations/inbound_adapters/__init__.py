"""Providers' payloads, read into messages and receipts the outreach app understands.

An adapter is a name (the provider's, kept with every message and receipt so ids are unique per
provider), the setting holding the secret its calls are signed with, and ``parse``, which turns a
payload's JSON into ``Parsed``: the messages customers sent and the delivery receipts it carries. It
raises ``Malformed`` with a sentence a provider's developer can act on. Authentication (the signed
timestamp) is the same for all, in ``integrations.webhook_signing``. Another provider is one module
beside these, each of which writes out its payloads' shapes: ``sms`` (``/sms/replies/``,
``/sms/status/``) and ``whatsapp`` (``/whatsapp/events/``).
"""

from integrations.inbound_adapters.base import Adapter, Malformed, Parsed
from integrations.inbound_adapters.sms import SmsAdapter
from integrations.inbound_adapters.whatsapp import WhatsAppAdapter

ADAPTERS: dict[str, Adapter] = {adapter.name: adapter for adapter in (SmsAdapter(), WhatsAppAdapter())}

__all__ = ["ADAPTERS", "Adapter", "Malformed", "Parsed"]
