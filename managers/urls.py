"""The store managers' pages (administrators see every store's). Paths are the site's own."""

from django.urls import path

from managers.views import (
    access,
    books,
    campaigns,
    dashboard,
    devices,
    duplicates,
    notes_review,
    outreach,
    posters,
)

app_name = "managers"

urlpatterns = [
    path("dashboard/", dashboard.store_dashboard, name="dashboard"),
    path("notes/review/", notes_review.notes_review, name="notes-review"),
    path("notes/review/<int:note_id>/", notes_review.decide, name="decide-note"),
    path("books/", books.client_books, name="books"),
    path("books/assign/", books.assign, name="assign"),
    path("books/hand-over/", books.hand_over, name="hand-over-book"),
    path("audit/", access.access_review, name="access-review"),
    path("audit/staff/<int:user_id>/", access.staff_trail, name="staff-trail"),
    path("audit/customers/<uuid:public_id>/", access.customer_trail, name="customer-trail"),
    path("duplicates/", duplicates.review_queue, name="duplicates"),
    path("duplicates/pairs/<int:candidate_id>/", duplicates.decide, name="decide-pair"),
    path("duplicates/merges/<int:merge_id>/undo/", duplicates.undo, name="undo-merge"),
    path("outreach/templates/", outreach.template_list, name="templates"),
    path("outreach/templates/new/", outreach.template_edit, name="new-template"),
    path("outreach/templates/<int:template_id>/", outreach.template_edit, name="edit-template"),
    path("outreach/messages/", outreach.message_list, name="messages"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="new-campaign"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", campaigns.campaign_edit, name="edit-campaign"),
    path("campaigns/<int:campaign_id>/<slug:action>/", campaigns.campaign_action, name="campaign-action"),
    path("tablets/", devices.device_list, name="devices"),
    path("tablets/enrol/", devices.enrol, name="enrol-device"),
    path("tablets/<uuid:public_id>/revoke/", devices.revoke, name="revoke-device"),
    path("tablets/staff/<int:user_id>/unlock/", devices.unlock, name="unlock-staff"),
    path("posters/", posters.poster_list, name="posters"),
    path("posters/<int:point_id>/", posters.poster, name="poster"),
]
