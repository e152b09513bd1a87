import json
import logging

from common.logging import JsonFormatter, RedactPersonalData, redact


def test_emails_and_phone_numbers_are_redacted():
    text = "Send to Zoe.Okafor@example.com or +44 7911 123456 / 06 12 34 56 78 about order 12345"

    assert redact(text) == "Send to [email] or [number] / [number] about order 12345"


def test_uuids_and_short_ids_survive_redaction():
    text = "customer 8f14e45f-ceea-467f-a0e6-3a8e4b1c5d2e viewed by user 42"

    assert redact(text) == text


def test_a_log_line_is_one_json_object_without_personal_data(caplog):
    logger = logging.getLogger("tests.logging")
    record = logger.makeRecord(
        "tests.logging",
        logging.INFO,
        __file__,
        1,
        "opt-in by %s",
        ("zoe@example.com",),
        None,
        extra={"customer_id": 7, "phone": "+447911123456"},
    )
    RedactPersonalData().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "opt-in by [email]"
    assert line["customer_id"] == 7
    assert line["phone"] == "[number]"
    assert line["level"] == "INFO"
