from django.urls import path

from relationships import review_views

app_name = "relationships"

urlpatterns = [
    path("", review_views.notes_review, name="notes_review"),
    path("<int:note_id>/", review_views.decide, name="decide_note"),
]
