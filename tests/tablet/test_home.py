import pytest

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_sign_in(visitor):
    response = visitor.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_staff_can_sign_in_and_see_their_store(client, associate):
    response = client.post(
        "/login/", {"username": "ava", "password": "correct horse battery staple"}, follow=True
    )

    assert response.status_code == 200
    assert b"London Marylebone" in response.content


def test_a_wrong_password_gets_a_clear_message(client, associate):
    response = client.post("/login/", {"username": "ava", "password": "nope"})

    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
