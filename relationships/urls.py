from django.urls import path

from relationships import book_views, review_views

app_name = "relationships"

urlpatterns = [
    path("notes/review/", review_views.notes_review, name="notes_review"),
    path("notes/review/<int:note_id>/", review_views.decide, name="decide_note"),
    path("books/", book_views.client_books, name="books"),
    path("books/assign/", book_views.assign, name="assign"),
    path("books/hand-over/", book_views.hand_over, name="hand_over"),
]
