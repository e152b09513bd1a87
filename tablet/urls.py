"""The associate's tablet. Paths are the site's own (mounted at the root)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tablet.views import (
    appointments,
    card,
    inbox,
    looks,
    messaging,
    my_day,
    occasions,
    search,
    sign_in,
    strangers,
    wishlist,
)

app_name = "tablet"

CARD = "customers/<uuid:public_id>/"  # the card, and what is done on it

urlpatterns = [
    path("", my_day.my_day, name="my-day"),
    path("login/", sign_in.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tablet/", sign_in.switch, name="switch"),
    path("tablet/<int:user_id>/pin/", sign_in.enter_pin, name="pin"),
    path("tablet/lock/", sign_in.lock, name="lock"),
    path("tablet/store/", sign_in.choose_store, name="store"),
    path("tablet/my-pin/", sign_in.change_pin, name="change-pin"),
    path("customers/", search.customer_search, name="search"),
    path("customers/scan/", search.scan, name="scan"),
    path(CARD, card.customer_detail, name="card"),
    path(f"{CARD}forms/<slug:name>/", card.card_form, name="card-form"),
    path(f"{CARD}notes/", card.add_note, name="add-note"),
    path(f"{CARD}sizes/", card.add_size, name="add-size"),
    path(f"{CARD}preferences/", card.add_preference, name="add-preference"),
    path(f"{CARD}dates/", card.add_date, name="add-date"),
    path(f"{CARD}follow-ups/", card.add_follow_up, name="add-follow-up"),
    path(f"{CARD}follow-ups/<int:follow_up_id>/done/", card.complete_follow_up, name="complete-follow-up"),
    path(f"{CARD}interactions/", card.log_interaction, name="log-interaction"),
    path(
        f"{CARD}suggestions/<int:product_id>/<str:kind>/",
        card.suggestion_feedback,
        name="suggestion-feedback",
    ),
    path(f"{CARD}messages/compose/", messaging.compose, name="compose"),
    path(f"{CARD}messages/", messaging.send, name="send"),
    path(f"{CARD}messages/<uuid:message_id>/cancel/", messaging.cancel, name="cancel-message"),
    path(f"{CARD}wishlist/", wishlist.wishlist_add, name="wishlist-add"),
    path(f"{CARD}wishlist/search/", wishlist.wishlist_search, name="wishlist-search"),
    path(f"{CARD}wishlist/<int:item_id>/remove/", wishlist.wishlist_remove, name="wishlist-remove"),
    path(f"{CARD}looks/new/", looks.new_look, name="new-look"),
    path(f"{CARD}looks/<uuid:look_id>/", looks.look_detail, name="look"),
    path(f"{CARD}looks/<uuid:look_id>/share/", looks.share_look, name="share-look"),
    path(f"{CARD}looks/<uuid:look_id>/revoke/", looks.revoke_look, name="revoke-look"),
    path(f"{CARD}appointments/new/", appointments.book, name="book"),
    path(f"{CARD}appointments/<uuid:appointment_id>/", appointments.move, name="move-appointment"),
    path(f"{CARD}appointments/<uuid:appointment_id>/cancel/", appointments.cancel, name="cancel-appointment"),
    path("appointments/", appointments.day_view, name="day"),
    path("occasions/<int:occasion_id>/done/", occasions.done, name="occasion-done"),
    path("occasions/<int:occasion_id>/call/", occasions.call, name="occasion-call"),
    path("occasions/<int:occasion_id>/snooze/", occasions.snooze, name="occasion-snooze"),
    path("occasions/<int:occasion_id>/dismiss/", occasions.dismiss, name="occasion-dismiss"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/unread/", inbox.unread, name="inbox-unread"),
    path("inbox/<int:conversation_id>/read/", inbox.mark_read, name="inbox-read"),
    path("inbox/<int:conversation_id>/done/", inbox.mark_done, name="inbox-done"),
    path("inbox/<int:conversation_id>/assign/", inbox.assign, name="inbox-assign"),
    path("inbox/<int:conversation_id>/sender/", strangers.sender, name="inbox-sender"),
    path("inbox/<int:conversation_id>/sender/search/", strangers.sender_search, name="inbox-sender-search"),
    path("inbox/<int:conversation_id>/sender/link/", strangers.link, name="inbox-link"),
    path(f"{CARD}thread/read/", inbox.thread_read, name="thread-read"),
]
