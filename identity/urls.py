from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("pairs/<int:candidate_id>/", views.decide, name="decide"),
    path("merges/<int:merge_id>/undo/", views.undo, name="undo"),
]
