"""Structured logging that keeps personal data out of log files.

Code logs ids (``customer_id``), never names, emails or phone numbers. As a second line of defence
the filter below rewrites any e-mail address, phone-like or card-like number that slips into a
message or an ``extra`` field before a handler sees it.
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# 7+ digits, optionally led by + and separated by spaces, dots, dashes or brackets: phones, cards,
# IBAN-ish runs. Ids in this project are short integers or UUIDs, which this leaves alone.
_LONG_NUMBER = re.compile(r"(?<![\w-])\+?\d(?:[\s().-]?\d){6,}(?![\w-])")

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Replace e-mail addresses and long digit runs with placeholders."""
    text = _EMAIL.sub("[email]", text)
    return _LONG_NUMBER.sub("[number]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)
