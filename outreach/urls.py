from django.urls import path

from outreach.views import manager

app_name = "outreach"

urlpatterns = [
    path("outreach/templates/", manager.template_list, name="templates"),
    path("outreach/templates/new/", manager.template_edit, name="new-template"),
    path("outreach/templates/<int:template_id>/", manager.template_edit, name="edit-template"),
    path("outreach/messages/", manager.message_list, name="messages"),
]
