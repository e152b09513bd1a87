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
        ("Très radine, elle a traité la vendeuse de conne", ("insults",)),
        ("Total nightmare customer, so stingy", ("insults",)),
        ("Campaigning for the election, wants a sharp suit", ("politics",)),
        ("Elle est militante au syndicat", ("politics",)),
        ("Call her on 07911 123456 when the coat is in", ("phone_number",)),
        ("Rappeler au 06 12 34 56 78", ("phone_number",)),
        ("Her number is +44 7911 123456", ("phone_number",)),
        ("NI number AB 12 34 56 C for the account", ("id_number",)),
        ("Passeport n° 12AB34567 pour la détaxe", ("id_number",)),
        ("Numéro de sécu 2 84 05 75 123 456 78", ("id_number",)),
        ("Pregnant, and her card 4111 1111 1111 1111 is on file", ("pregnancy", "card_number")),
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
        "Une grosse commande de robes noires",  # "grosse" is about the order
        "Classic, conservative tailoring; cowl necks suit her",
        "Bought 3 shirts at 079 each",  # a price, not a phone
        "Taille 38, pointure 39, commande 20240512",
        "Votre robe arrive lundi",  # "votre", not "vote"
        "Passport holder wallet in tan, ref 12345",
    ],
)
def test_ordinary_shop_talk_raises_no_alarm(text):
    assert not find_sensitive_topics(text)


def test_each_match_says_where_it_is_so_the_reviewer_sees_why():
    text = "Elle est enceinte; rappeler au 06 12 34 56 78"

    finding = find_sensitive_topics(text)

    assert [(text[m.start : m.end], m.topic) for m in finding.matches] == [
        ("enceinte", "pregnancy"),
        ("06 12 34 56 78", "phone_number"),
    ]
    assert finding.labels == ["pregnancy", "a phone number"]


def test_every_language_file_names_known_topics_only(tmp_path, monkeypatch):
    from relationships import sensitive

    (tmp_path / "xx.toml").write_text('gossip = ["rumour"]\n')
    monkeypatch.setattr(sensitive, "TERMS", tmp_path)
    sensitive._patterns.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown topic 'gossip'"):
            find_sensitive_topics("anything")
    finally:
        monkeypatch.undo()
        sensitive._patterns.cache_clear()
