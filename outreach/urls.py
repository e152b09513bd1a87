from django.urls import path

from outreach.views import appointments, card, looks, manager

app_name = "outreach"

urlpatterns = [
    path("customers/<uuid:public_id>/messages/compose/", card.compose, name="compose"),
    path("customers/<uuid:public_id>/messages/", card.send, name="send"),
    path("customers/<uuid:public_id>/messages/<uuid:message_id>/cancel/", card.cancel, name="cancel-message"),
    path("customers/<uuid:public_id>/wishlist/", card.wishlist_add, name="wishlist-add"),
    path("customers/<uuid:public_id>/wishlist/search/", card.wishlist_search, name="wishlist-search"),
    path(
        "customers/<uuid:public_id>/wishlist/<int:item_id>/remove/",
        card.wishlist_remove,
        name="wishlist-remove",
    ),
    path("customers/<uuid:public_id>/looks/new/", looks.new_look, name="new-look"),
    path("customers/<uuid:public_id>/looks/<uuid:look_id>/", looks.look_detail, name="look"),
    path("customers/<uuid:public_id>/looks/<uuid:look_id>/share/", looks.share_look, name="share-look"),
    path("customers/<uuid:public_id>/looks/<uuid:look_id>/revoke/", looks.revoke_look, name="revoke-look"),
    path("customers/<uuid:public_id>/appointments/new/", appointments.book, name="book"),
    path(
        "customers/<uuid:public_id>/appointments/<uuid:appointment_id>/",
        appointments.move,
        name="move-appointment",
    ),
    path(
        "customers/<uuid:public_id>/appointments/<uuid:appointment_id>/cancel/",
        appointments.cancel,
        name="cancel-appointment",
    ),
    path("appointments/", appointments.day_view, name="day"),
    path("outreach/templates/", manager.template_list, name="templates"),
    path("outreach/templates/new/", manager.template_edit, name="new-template"),
    path("outreach/templates/<int:template_id>/", manager.template_edit, name="edit-template"),
    path("outreach/messages/", manager.message_list, name="messages"),
]
