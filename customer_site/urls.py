"""The customer's side: pages she opens on her own phone (or on a store tablet handed to her)."""

from django.urls import path

from customer_site.views import handover, looks, membership, optin, privacy_centre, unsubscribe

app_name = "customer_site"

urlpatterns = [
    # The customer's phone (no staff sign-in).
    path("join/tablet/", optin.join_assisted, name="join-assisted"),
    path("join/verify/", optin.verify, name="verify"),
    path("join/resend/", optin.resend, name="resend"),
    path("join/done/", optin.done, name="done"),
    path("join/<str:token>/", optin.join, name="join"),
    path("m/<str:code>/", membership.membership, name="membership"),
    path("me/", privacy_centre.privacy, name="privacy"),
    path("me/sign-in/", privacy_centre.request_link, name="privacy-sign-in"),
    path("me/link/<str:token>/", privacy_centre.open_link, name="privacy-link"),
    path("me/profile/", privacy_centre.change_profile, name="privacy-profile"),
    path("me/choices/", privacy_centre.change_choices, name="privacy-choices"),
    path("me/export/", privacy_centre.start_export, name="privacy-export"),
    path("me/export/status/", privacy_centre.export_status, name="privacy-export-status"),
    path("me/export/<str:token>/", privacy_centre.download_export, name="privacy-download"),
    path("me/erase/", privacy_centre.erase, name="privacy-erase"),
    path("me/sign-out/", privacy_centre.leave, name="privacy-sign-out"),
    path("l/<str:token>/", looks.look, name="look"),
    path("l/<str:token>/items/<int:item_id>/<str:action>/", looks.look_item, name="look-item"),
    path("u/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    # Staff hand the tablet to a customer to opt in.
    path("tablet/hand-over/", handover.start, name="hand-over"),
    path("tablet/hand-over/leave/", handover.leave, name="hand-over-leave"),
]
