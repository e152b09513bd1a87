import pytest

from relationships.sensitive import find_sensitive_topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("She is pregnant, due in May", ("pregnancy",)),
        ("Elle est enceinte", ("pregnancy",)),
        ("Fasts during Ramadan, no events then", ("religion",)),
        ("Recovering from surgery, prefers loose fits", ("health",)),
        ("Lost her job, cannot afford much right now", ("finances",)),
        ("Paid with 4111 1111 1111 1111, keep on file", ("card_number",)),
        ("Came in with her wife, both love linen", ()),
    ],
)
def test_special_category_topics_are_found(text, topics):
    assert find_sensitive_topics(text).topics == topics


@pytest.mark.parametrize(
    "text",
    [
        "Loves the black linen blazer, white shirts too",
        "Order 1234 5678 9012 3456 arrives Tuesday",  # not a valid card number (Luhn)
        "Size 12 in dresses, 38 in shoes",
        "Will still love it",
    ],
)
def test_ordinary_shop_talk_raises_no_alarm(text):
    assert not find_sensitive_topics(text)
