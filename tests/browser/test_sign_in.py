import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_associate_signs_in_on_a_tablet_and_lands_on_her_store(page, associate):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").tap()

    expect(page.get_by_role("heading", name="Hello, Ava")).to_be_visible()
    expect(page.get_by_text("London Marylebone")).to_be_visible()


def test_a_wrong_password_keeps_her_on_the_sign_in_page_with_a_message(page, associate):
    page.goto("/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").tap()

    expect(page.get_by_role("alert")).to_contain_text("didn't match")


def test_sign_in_buttons_are_big_enough_to_tap(page, associate):
    page.goto("/login/")

    box = page.get_by_role("button", name="Sign in").bounding_box()
    assert box is not None
    assert box["height"] >= 44
