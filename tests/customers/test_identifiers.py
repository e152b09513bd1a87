import pytest

from customers.identifiers import InvalidIdentifier, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zoe.Okafor@Example.COM ", "zoe.okafor@example.com"),
        ("zoe+shop@example.com", "zoe+shop@example.com"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw, expected):
    assert normalise("email", raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("07911 123456", "GB", "+447911123456"),
        ("+44 (0)7911-123-456", None, "+447911123456"),
        ("0044 7911 123456", "FR", "+447911123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+49 1512 3456789", "GB", "+4915123456789"),
    ],
)
def test_phones_in_any_format_become_e164(raw, region, expected):
    assert normalise("phone", raw, default_region=region) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("email", "not-an-email", "not a valid e-mail"),
        ("email", "", "not a valid e-mail"),
        ("phone", "hello", "not a phone number"),
        ("phone", "07911 123456", "include the country code"),
        ("phone", "+44 12", "not valid"),
        ("loyalty", "12", "4 to 32"),
        ("loyalty", "<script>", "4 to 32"),
        ("external", "   ", "1 to 128"),
        ("passport", "X", "Unknown identifier kind"),
    ],
)
def test_bad_identifiers_get_a_clear_message(kind, raw, message):
    with pytest.raises(InvalidIdentifier, match=message):
        normalise(kind, raw)


def test_loyalty_numbers_lose_the_spaces_and_dashes_people_type():
    assert normalise("loyalty", " ab-12 34.5678 ") == "AB12345678"
