import pytest
from django.core.exceptions import ImproperlyConfigured

from common.env import env_bool, env_choice, env_int, env_list, env_matching, env_str, env_timezone


def test_unset_and_blank_variables_fall_back_to_the_default(monkeypatch):
    monkeypatch.delenv("THING", raising=False)
    assert env_str("THING", "x") == "x"
    monkeypatch.setenv("THING", "   ")
    assert env_str("THING", "x") == "x"


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("ON", True), ("1", True), ("no", False), ("0", False)]
)
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG must be one of .*'maybe'"):
        env_bool("DEBUG", default=False)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("ten", "must be a whole number"), ("0", "must be at least 1"), ("99999", "must be at most 100")],
)
def test_bad_integers_are_refused(monkeypatch, raw, message):
    monkeypatch.setenv("POOL", raw)
    with pytest.raises(ImproperlyConfigured, match=f"POOL {message}"):
        env_int("POOL", 5, minimum=1, maximum=100)


def test_lists_are_split_and_trimmed_but_empty_items_are_refused(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="HOSTS has an empty item"):
        env_list("HOSTS", [])


def test_choices_outside_the_list_are_refused(monkeypatch):
    monkeypatch.setenv("MODE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="MODE must be one of up, down, not 'sideways'"):
        env_choice("MODE", "up", ("up", "down"))


def test_text_that_does_not_match_its_pattern_is_refused_with_what_was_expected(monkeypatch):
    monkeypatch.setenv("COUNTRY", "FR")
    assert env_matching("COUNTRY", "GB", r"[A-Z]{2}", expected="a country code") == "FR"
    monkeypatch.setenv("COUNTRY", "France")
    with pytest.raises(ImproperlyConfigured, match="COUNTRY must be a country code, not 'France'"):
        env_matching("COUNTRY", "GB", r"[A-Z]{2}", expected="a country code")


def test_a_time_zone_must_be_an_iana_name(monkeypatch):
    monkeypatch.setenv("ZONE", "Europe/Paris")
    assert env_timezone("ZONE", "UTC") == "Europe/Paris"
    monkeypatch.setenv("ZONE", "Paris")
    with pytest.raises(ImproperlyConfigured, match=r"ZONE must be an IANA time zone .* not 'Paris'"):
        env_timezone("ZONE", "UTC")


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.delenv("TOKEN", raising=False)
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_str("TOKEN") == "s3cr3t"


def test_an_unreadable_secret_file_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="TOKEN_FILE points to"):
        env_str("TOKEN")


def test_a_value_and_a_file_together_are_ambiguous(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("a")
    monkeypatch.setenv("TOKEN", "b")
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "secret"))
    with pytest.raises(ImproperlyConfigured, match="Set TOKEN or TOKEN_FILE, not both"):
        env_str("TOKEN")
