"""Webhooks, at the site's root (where providers are told to call)."""

from django.urls import path

from integrations import webhooks

app_name = "webhooks"

urlpatterns = [
    path("sms/replies/", webhooks.sms_reply, name="sms-reply"),
    path("sms/status/", webhooks.sms_status, name="sms-status"),
    path("whatsapp/events/", webhooks.whatsapp_events, name="whatsapp-events"),
    path("mail/inbound/", webhooks.mail_inbound, name="mail-inbound"),
]
